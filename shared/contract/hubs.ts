import { z } from 'zod'
import { clientId, eventOf } from './common.js'

/** A hub profile's name: what the CLI's `--hub NAME` and the console's pickers use. */
export const hubName = z
  .string()
  .min(1, 'hub name is required')
  .max(64, 'hub name is at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'hub name may use letters, digits and . _ - only')

const pem = z
  .string()
  .max(256 * 1024)
  .refine((v) => v.includes('-----BEGIN CERTIFICATE-----'), 'must be a PEM certificate')

const anyUrl = z.string().url()
/** Where devices reach DPS: plgd does not publish it. */
export const dpsDeviceEndpoint = z
  .string()
  .regex(/^coaps\+tcp:\/\/[^/\s]+:\d{1,5}$/, 'must look like coaps+tcp://HOST:15684')

/**
 * How the console authenticates to the hub's APIs: a client of our own issuer (the console
 * mints a short-lived bearer for its owner, recorded in the ledger like any token) or a token
 * pasted by the user (kept sealed; never shown again).
 */
export const hubAuthInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('client'), clientId }),
  z.object({
    kind: z.literal('token'),
    token: z
      .string()
      .min(1)
      .max(16 * 1024),
  }),
])
export type HubAuthInput = z.infer<typeof hubAuthInput>

/** What discovery gave, overridden where the hub's published value is wrong for this network. */
export const hubOverrides = z.object({
  dpsUrl: anyUrl.optional(),
  snippetServiceUrl: anyUrl.optional(),
  dpsDeviceEndpoint: dpsDeviceEndpoint.optional(),
  ownerClaim: z.string().min(1).max(255).optional(),
  deviceIdClaim: z.string().max(255).optional(),
  coapGateway: z.string().min(1).max(512).optional(),
  certificateAuthority: z.string().min(1).max(512).optional(),
})
export type HubOverrides = z.infer<typeof hubOverrides>

export const addHubInput = z.object({
  name: hubName,
  /** The http-gateway's URL; everything else is discovered from its hub-configuration. */
  url: anyUrl.refine((u) => /^https?:\/\//.test(u), 'must be an http(s):// URL'),
  /** PEM of the CA to trust for the hub's TLS; the system pool otherwise. */
  caPem: pem.optional(),
  auth: hubAuthInput,
  overrides: hubOverrides.default({}),
})
export type AddHubInput = z.input<typeof addHubInput>

export const updateHubInput = z.object({
  name: hubName,
  caPem: pem.nullable().optional(),
  auth: hubAuthInput.optional(),
  overrides: hubOverrides.optional(),
  /** Read the hub-configuration again. */
  rediscover: z.boolean().default(false),
})
export const hubNameInput = z.object({ name: hubName })

export interface HubView {
  name: string
  url: string
  hubId: string
  ownerClaim: string
  deviceIdClaim: string
  coapGateway: string
  certificateAuthority: string
  authority: string
  dpsUrl: string | null
  snippetServiceUrl: string | null
  dpsDeviceEndpoint: string | null
  /** The m2m client the hub's own UI uses (hub-configuration `m2mOauthClient`), if published. */
  m2mOauthClient: { clientId: string; authority: string } | null
  /** The CA bundle the hub publishes (`certificateAuthorities`), for devices and DPS. */
  hubCaPem: string | null
  /** Whether a CA of our own is set for the hub's TLS (its PEM is in `caPem`). */
  caPem: string | null
  auth: { kind: 'client'; clientId: string } | { kind: 'token'; expiresAt: number | null }
  overrides: HubOverrides
  discoveredAt: number
  createdAt: number
}

export interface HubCheck {
  /** dns, tcp, tls, discovery, auth, owner, clock, dps, snippet-service… */
  name: string
  ok: boolean
  detail: string
  /** What to change, where, when it failed (a hub setting, a certificate, an option). */
  fix?: string
  /** A configuration snippet the hub admin must add (YAML), when that is the fix. */
  snippet?: string
}
export interface HubCheckResult {
  ok: boolean
  checks: HubCheck[]
}

export const hubsMethods = {
  'hubs.add': { input: addHubInput, output: {} as HubView },
  'hubs.list': { input: z.object({}), output: {} as HubView[] },
  'hubs.get': { input: hubNameInput, output: {} as HubView },
  'hubs.update': { input: updateHubInput, output: {} as HubView },
  'hubs.remove': { input: hubNameInput, output: {} as { removed: true } },
  'hubs.check': { input: hubNameInput, output: {} as HubCheckResult },
} as const

export const hubsEvents = {
  'hub.changed': eventOf<{ name: string }>(),
}
