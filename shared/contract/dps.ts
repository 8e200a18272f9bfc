import { z } from 'zod'
import { clientId } from './common.js'
import { hubName } from './hubs.js'

const pemChain = z
  .string()
  .max(256 * 1024)
  .refine((v) => v.includes('-----BEGIN CERTIFICATE-----'), 'must be a PEM certificate chain')
const deviceIds = z
  .array(z.string().trim().min(1).max(128))
  .min(1, 'give at least one device id')
  .max(100_000)

/**
 * DPS onboarding (interop §3): the DPS client at our issuer, the DPS hub record whose provider
 * is our issuer, and the enrollment group. A dry run answers the plan and changes nothing.
 */
export const dpsSetupInput = z.object({
  hub: hubName,
  /** The DPS client at our issuer; its owner is the enrollment group's owner. */
  clientId,
  /** The owner of a DPS client created here (default: the owner of the hub profile's bearer). */
  owner: z.string().trim().min(1).max(256).optional(),
  /** The enrollment group's name (created, or updated when one of that name exists). */
  group: z.string().trim().min(1).max(256),
  /** Manufacturer attestation chain (intermediate + root), PEM. */
  certificateChainPem: pemChain,
  /** Optional pre-shared key for the group (at least 16 bytes). */
  preSharedKey: z.string().min(16, 'a pre-shared key has at least 16 bytes').max(4096).optional(),
  /** The provider name coap-gateway knows DPS tokens by. */
  providerName: z.string().trim().min(1).max(128).default('plgd.dps'),
  /** How long the DPS client's previous secret keeps working after the rotation (DPS breaks with 0). */
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .default(3600),
  /**
   * Keep the secret an existing DPS hub record holds instead of rotating the DPS client's
   * secret (the secret cannot be compared: ours is stored hashed).
   */
  keepSecret: z.boolean().default(false),
  dryRun: z.boolean().default(false),
})
export type DpsSetupInput = z.input<typeof dpsSetupInput>

/** One field that differs between what DPS has and what the setup would write (secrets masked). */
export interface PlanChange {
  field: string
  from: unknown
  to: unknown
}
export interface PlanStep {
  target: 'client' | 'dps-hub' | 'enrollment-group'
  action: 'create' | 'update' | 'rotate-secret' | 'unchanged'
  /** The record's id when it exists already. */
  id: string | null
  name: string
  changes: PlanChange[]
}
export interface DpsSetupResult {
  plan: PlanStep[]
  applied: boolean
  enrollmentGroupId: string | null
  dpsHubId: string | null
  /** What will likely break even though the setup is accepted (a loopback issuer URL, say). */
  warnings: string[]
}

/** Watch provisioning records of these devices at DPS: a job (`dps.watch`). */
export const dpsWatchInput = z.object({
  hub: hubName,
  /**
   * The DPS client: records are read with a bearer for its owner (the enrollment group's).
   * Without it, the hub profile's bearer is used.
   */
  clientId: clientId.optional(),
  deviceIds,
  /** Give up on a device still pending after this long. */
  timeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(600),
})

/** The steps of a DPS provisioning record, as `dps.watch` items report them (in `detail.steps`). */
export const PROVISIONING_STEPS = ['ownership', 'credentials', 'acl', 'cloud', 'plgdTime'] as const
export type ProvisioningStep = (typeof PROVISIONING_STEPS)[number]
export interface ProvisioningStepView {
  step: ProvisioningStep
  state: 'pending' | 'done' | 'failed'
  coapCode: number | null
  message: string | null
}

export const dpsChecklistInput = z.object({
  hub: hubName,
  clientId: clientId.optional(),
  /** The provider name DPS tokens carry (the setup's `providerName`). */
  providerName: z.string().trim().min(1).max(128).default('plgd.dps'),
})
export interface ChecklistItem {
  id: string
  title: string
  /** true done, false not done, null: the console cannot tell. */
  done: boolean | null
  /** Who does this step: the operator (here, or on the devices) or the hub admin. */
  actor: 'operator' | 'hub-admin'
  detail: string
  /** A YAML snippet for the hub admin (coap-gateway provider, authorization.endpoints…). */
  snippet?: string
}

export const dpsMethods = {
  'dps.setup': { input: dpsSetupInput, output: {} as DpsSetupResult },
  'dps.watch': { input: dpsWatchInput, output: {} as { jobId: string } },
  'dps.checklist': { input: dpsChecklistInput, output: {} as { items: ChecklistItem[] } },
} as const
