import { aboutCommands } from './about.js'
import { auditCommands } from './audit.js'
import { backupCommands } from './backup.js'
import { clientsCommands } from './clients.js'
import { clockCommands } from './clock.js'
import { conditionsCommands } from './conditions.js'
import { configsCommands } from './configs.js'
import { devicesCommands } from './devices.js'
import { dpsCommands } from './dps.js'
import { exportsCommands } from './exports.js'
import { graduationCommands } from './graduation.js'
import { hubsCommands } from './hubs.js'
import { jobsCommands } from './jobs.js'
import { keysCommands } from './keys.js'
import { localCommands } from './local.js'
import { localOnboardingCommands } from './local-onboarding.js'
import { serveCommands } from './serve.js'
import { settingsCommands } from './settings.js'
import type { Command } from './spec.js'
import { tokensCommands } from './tokens.js'

/** Every CLI command, one file per domain, in the order help and docs list them. */
export const COMMANDS: readonly Command[] = [
  ...serveCommands,
  ...clientsCommands,
  ...tokensCommands,
  ...keysCommands,
  ...auditCommands,
  ...settingsCommands,
  ...clockCommands,
  ...jobsCommands,
  ...hubsCommands,
  ...dpsCommands,
  ...configsCommands,
  ...conditionsCommands,
  ...devicesCommands,
  ...localCommands,
  ...localOnboardingCommands,
  ...exportsCommands,
  ...graduationCommands,
  ...backupCommands,
  ...aboutCommands,
]
