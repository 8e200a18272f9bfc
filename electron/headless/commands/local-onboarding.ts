import type { Command } from './spec.js'

/** `local point-at-dps` and `local onboard`: jobs over the devices given. */
export const localOnboardingCommands: Command[] = []
