import type { HubView } from '../../shared/contract/index.js'
import { dataUri, nsFromSeconds } from './plgd-json.js'

/**
 * The DPS records the setup writes, shaped exactly as DPS's HTTP API takes them (interop §3.2,
 * §3.4, §3.5): secrets, CA pools and chains are URI-scheme strings, durations are nanoseconds
 * as int64 strings. Raw PEM or raw secret text would be read by DPS as a file path.
 */

export interface DpsTls {
  caPool: string[]
  useSystemCaPool: boolean
}

export interface DpsHubRecord {
  hubId: string
  name: string
  gateways: string[]
  certificateAuthority: {
    grpc: {
      address: string
      keepAlive: { time: string; timeout: string; permitWithoutStream: boolean }
      tls: DpsTls
    }
  }
  authorization: {
    ownerClaim: string
    deviceIdClaim: string
    provider: {
      name: string
      authority: string
      clientId: string
      clientSecret: string
      scopes: string[]
      audience: string
      http: {
        maxIdleConns: number
        maxConnsPerHost: number
        maxIdleConnsPerHost: number
        idleConnTimeout: string
        timeout: string
        tls: DpsTls
      }
    }
  }
}

export interface EnrollmentGroupRecord {
  name: string
  hubIds: string[]
  attestationMechanism: {
    x509: { certificateChain: string; expiredCertificateEnabled: boolean }
  }
  preSharedKey?: string
}

/** What DPS answers: the record with its server-side id and owner. */
export type Stored<T> = Partial<T> & { id?: string; owner?: string } & Record<string, unknown>

/** `data:,…`: a literal, URL-escaped (the client secret). */
export function literalDataUri(text: string): string {
  return `data:,${encodeURIComponent(text)}`
}

/** The visible part of a secret URI: its scheme, never its content. */
export function maskSecretUri(uri: unknown): string | null {
  if (typeof uri !== 'string' || uri === '') return null
  if (uri.startsWith('data:;base64,')) return 'data:;base64,****'
  if (uri.startsWith('data:,')) return 'data:,****'
  return '****'
}

/** DPS normalises `host:port` to coaps+tcp://host:port: write it that way at once. */
export function coapGatewayUri(address: string): string {
  return /^coaps?(\+tcp)?:\/\//.test(address) ? address : `coaps+tcp://${address}`
}

/** A gRPC address is host:port: the hub may publish it with a scheme or a path. */
export function grpcAddress(address: string): string {
  const bare = address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '')
  return /:\d+$/.test(bare) ? bare : `${bare}:443`
}

function tlsWith(caPem: string | null): DpsTls {
  return caPem
    ? { caPool: [dataUri(caPem)], useSystemCaPool: false }
    : { caPool: [], useSystemCaPool: true }
}

export interface HubRecordInput {
  profile: HubView
  providerName: string
  /** Our issuer's URL (`app.urls().issuer`): DPS reads its discovery and token endpoint. */
  issuer: string
  /** Our CA's PEM; null when the issuer has a certificate from a public CA. */
  issuerCaPem: string | null
  clientId: string
  /** The device-id claim is sent only when our client may set it (else DPS fails every device). */
  deviceIdClaim: string
  /** `data:,<secret>`; a placeholder in a plan, DPS's own value with keepSecret. */
  clientSecretUri: string
}

/** The DPS hub record whose provider is our issuer (interop §3.4, field for field). */
export function buildHubRecord(input: HubRecordInput): DpsHubRecord {
  const { profile } = input
  return {
    hubId: profile.hubId,
    name: profile.name,
    gateways: [coapGatewayUri(profile.coapGateway)],
    certificateAuthority: {
      grpc: {
        address: grpcAddress(profile.certificateAuthority),
        keepAlive: {
          time: nsFromSeconds(10),
          timeout: nsFromSeconds(20),
          permitWithoutStream: true,
        },
        tls: tlsWith(profile.hubCaPem),
      },
    },
    authorization: hubAuthorization({ ...input, ownerClaim: profile.ownerClaim }),
  }
}

export type HubAuthorizationInput = Pick<
  HubRecordInput,
  'providerName' | 'issuer' | 'issuerCaPem' | 'clientId' | 'deviceIdClaim' | 'clientSecretUri'
> & { ownerClaim: string }

/**
 * A DPS hub's `authorization` (interop §3.4): the provider is our issuer. The setup's hub
 * record and the `dps-json` export both take it from here.
 */
export function hubAuthorization(input: HubAuthorizationInput): DpsHubRecord['authorization'] {
  return {
    ownerClaim: input.ownerClaim,
    deviceIdClaim: input.deviceIdClaim,
    provider: {
      name: input.providerName,
      authority: input.issuer,
      clientId: input.clientId,
      clientSecret: input.clientSecretUri,
      scopes: [],
      audience: '',
      http: {
        maxIdleConns: 16,
        maxConnsPerHost: 32,
        maxIdleConnsPerHost: 16,
        idleConnTimeout: nsFromSeconds(30),
        timeout: nsFromSeconds(10),
        tls: tlsWith(input.issuerCaPem),
      },
    },
  }
}

export interface GroupRecordInput {
  name: string
  hubId: string
  /** Hubs the group already links: kept, so a setup for one hub does not unlink another. */
  existingHubIds: string[]
  certificateChainPem: string
  preSharedKey: string | undefined
}

/** The enrollment group (interop §3.5); its owner is the bearer's, so it is not sent. */
export function buildGroupRecord(input: GroupRecordInput): EnrollmentGroupRecord {
  const group: EnrollmentGroupRecord = {
    name: input.name,
    hubIds: [...new Set([...input.existingHubIds, input.hubId])],
    attestationMechanism: {
      x509: {
        certificateChain: dataUri(input.certificateChainPem),
        expiredCertificateEnabled: false,
      },
    },
  }
  if (input.preSharedKey !== undefined) group.preSharedKey = dataUri(input.preSharedKey)
  return group
}
