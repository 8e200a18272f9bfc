import type { Command } from './spec.js'

/** Filled in as the commands land (issue 15). */
export const exportsCommands: Command[] = []
