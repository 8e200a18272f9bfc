import { z } from 'zod'
import { dpsSetupInput, type ClientView, type MethodInput } from '../../../../shared/contract/index'

const shape = dpsSetupInput.shape

/** The wizard's fields, each checked by the contract's own schema where it has one. */
export const setupFormSchema = z.object({
  hub: z
    .string()
    .nullable()
    .refine((v) => v !== null && v !== '', 'choose a hub'),
  clientId: shape.clientId,
  owner: z.string().trim().max(256),
  group: shape.group,
  certificateChainPem: z
    .string()
    .min(1, 'load the manufacturer certificate chain (PEM)')
    .pipe(shape.certificateChainPem),
  preSharedKey: z
    .string()
    .refine((v) => v === '' || v.length >= 16, 'a pre-shared key has at least 16 bytes'),
  providerName: z.string().trim().min(1, 'required').max(128),
  graceSeconds: z
    .number({ error: 'enter a whole number of seconds' })
    .int()
    .min(0)
    .max(7 * 24 * 3600, 'at most 7 days'),
  keepSecret: z.boolean(),
})
export type SetupFormValues = z.input<typeof setupFormSchema>

export const SETUP_DEFAULTS: SetupFormValues = {
  hub: null,
  clientId: 'dps',
  owner: '',
  group: '',
  certificateChainPem: '',
  preSharedKey: '',
  providerName: 'plgd.dps',
  graceSeconds: 3600,
  keepSecret: false,
}

/** Fields per wizard step: Next checks only these. */
export const STEP_FIELDS = [
  ['hub', 'clientId', 'owner'],
  ['group', 'certificateChainPem', 'preSharedKey', 'providerName', 'graceSeconds'],
] as const satisfies readonly (readonly (keyof SetupFormValues)[])[]

/** The form → `dps.setup` input: an owner only for a client created now. */
export function toSetupInput(
  v: SetupFormValues,
  clients: ClientView[],
  dryRun: boolean,
): MethodInput<'dps.setup'> {
  const exists = clients.some((c) => c.id === v.clientId.trim())
  return {
    hub: v.hub ?? '',
    clientId: v.clientId.trim(),
    owner: !exists && v.owner.trim() ? v.owner.trim() : undefined,
    group: v.group.trim(),
    certificateChainPem: v.certificateChainPem,
    preSharedKey: v.preSharedKey === '' ? undefined : v.preSharedKey,
    providerName: v.providerName.trim(),
    graceSeconds: v.graceSeconds,
    keepSecret: v.keepSecret,
    dryRun,
  }
}

/** Whether a client can be DPS's: it authenticates with a secret and names an owner. */
export function usableDpsClient(c: ClientView): boolean {
  return c.auth.method === 'client_secret' && c.owner !== '' && !c.disabled
}
