import type { Command } from './spec.js'

/** `local …`: the client-application (status, init, reset, discover, own, disown, offboard). */
export const localCommands: Command[] = []
