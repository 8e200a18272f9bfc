import { z } from 'zod'
import {
  addHubInput,
  dpsDeviceEndpoint,
  hubName,
  type HubOverrides,
  type HubView,
} from '../../../../shared/contract/index'
import { optionalTextField } from '../../lib/form'

/** The "Add hub" form: text fields turned into the contract's input (auth as a union). */
export const addHubFormSchema = z
  .object({
    name: hubName,
    url: z.string().trim().min(1, 'required'),
    caPem: z.string(),
    authKind: z.enum(['client', 'token']),
    clientId: z.string(),
    token: z.string(),
  })
  .superRefine((v, ctx) => {
    if (v.authKind === 'client' && !v.clientId)
      ctx.addIssue({
        code: 'custom',
        path: ['clientId'],
        message: 'choose a client of this issuer',
      })
    if (v.authKind === 'token' && !v.token.trim())
      ctx.addIssue({ code: 'custom', path: ['token'], message: 'paste a token for the hub' })
  })
  .transform((v, ctx) => {
    const parsed = addHubInput.safeParse({
      name: v.name,
      url: v.url,
      ...(v.caPem.trim() ? { caPem: v.caPem } : {}),
      auth:
        v.authKind === 'client'
          ? { kind: 'client', clientId: v.clientId }
          : { kind: 'token', token: v.token.trim() },
    })
    if (parsed.success) return parsed.data
    for (const issue of parsed.error.issues) {
      const [first] = issue.path
      const path =
        first === 'auth' ? [v.authKind === 'client' ? 'clientId' : 'token'] : [first ?? 'url']
      ctx.addIssue({ code: 'custom', path: path as string[], message: issue.message })
    }
    return z.NEVER
  })

export type AddHubFormValues = z.input<typeof addHubFormSchema>
export type AddHubFormOutput = z.output<typeof addHubFormSchema>

export const emptyAddHubForm: AddHubFormValues = {
  name: '',
  url: '',
  caPem: '',
  authKind: 'client',
  clientId: '',
  token: '',
}

const optionalUrl = optionalTextField().pipe(
  z.string().url('enter a full URL (https://…)').optional(),
)

/** The overrides: an empty field means "what the hub publishes". */
export const overridesFormSchema = z.object({
  dpsUrl: optionalUrl,
  snippetServiceUrl: optionalUrl,
  dpsDeviceEndpoint: optionalTextField().pipe(dpsDeviceEndpoint.optional()),
  ownerClaim: optionalTextField(),
  deviceIdClaim: optionalTextField(),
})
export type OverridesFormValues = z.input<typeof overridesFormSchema>

export function overridesFormValues(o: HubOverrides): OverridesFormValues {
  return {
    dpsUrl: o.dpsUrl ?? '',
    snippetServiceUrl: o.snippetServiceUrl ?? '',
    dpsDeviceEndpoint: o.dpsDeviceEndpoint ?? '',
    ownerClaim: o.ownerClaim ?? '',
    deviceIdClaim: o.deviceIdClaim ?? '',
  }
}

/** Drops the empty overrides: the profile keeps only what the user set. */
export function cleanOverrides(o: z.output<typeof overridesFormSchema>): HubOverrides {
  return Object.fromEntries(
    Object.entries(o).filter(([, v]) => v !== undefined && v !== ''),
  ) as HubOverrides
}

/** The resolved fields shown after adding, with where each came from. */
export function discoveredRows(hub: HubView): [string, string, boolean][] {
  const o = hub.overrides
  return [
    ['Hub id', hub.hubId || '(not published)', false],
    ['Owner claim', hub.ownerClaim, o.ownerClaim !== undefined],
    ['Device-id claim', hub.deviceIdClaim || '(none)', o.deviceIdClaim !== undefined],
    ['coap-gateway', hub.coapGateway || '(not published)', false],
    ['DPS API', hub.dpsUrl ?? '(not published)', o.dpsUrl !== undefined],
    [
      'DPS for devices',
      hub.dpsDeviceEndpoint ?? '(needs a DPS address)',
      o.dpsDeviceEndpoint !== undefined,
    ],
    [
      'snippet-service',
      hub.snippetServiceUrl ?? '(not published)',
      o.snippetServiceUrl !== undefined,
    ],
    ['Authority', hub.authority || '(not published)', false],
  ]
}
