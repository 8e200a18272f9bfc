import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { dpsChecklist } from '../../electron/plgd/dps-checklist.js'
import { describePlan, diffRecord } from '../../electron/plgd/dps-plan.js'
import {
  buildGroupRecord,
  buildHubRecord,
  coapGatewayUri,
  grpcAddress,
  literalDataUri,
} from '../../electron/plgd/dps-records.js'
import {
  CA_PEM,
  CHAIN_PEM,
  HUB_CA_PEM,
  HUB_ID,
  ISSUER,
  clientView,
  hubView,
  type Loose,
} from './dps-fixtures.js'

const b64 = (s: string): string => Buffer.from(s).toString('base64')

function hubRecord(secret = 's3cr/t+x') {
  return buildHubRecord({
    profile: hubView(),
    providerName: 'plgd.dps',
    issuer: ISSUER,
    issuerCaPem: CA_PEM,
    clientId: 'dps',
    deviceIdClaim: 'https://plgd.dev/deviceId',
    clientSecretUri: literalDataUri(secret),
  })
}

describe('DPS hub record (interop §3.4)', () => {
  it('has exactly the field names and URI schemes DPS validates', () => {
    expect(hubRecord()).toEqual({
      hubId: HUB_ID,
      name: 'lab',
      gateways: ['coaps+tcp://hub.example.com:5684'],
      certificateAuthority: {
        grpc: {
          address: 'api.hub.example.com:443',
          keepAlive: { time: '10000000000', timeout: '20000000000', permitWithoutStream: true },
          tls: { caPool: [`data:;base64,${b64(HUB_CA_PEM)}`], useSystemCaPool: false },
        },
      },
      authorization: {
        ownerClaim: 'https://plgd.dev/owner',
        deviceIdClaim: 'https://plgd.dev/deviceId',
        provider: {
          name: 'plgd.dps',
          authority: ISSUER,
          clientId: 'dps',
          clientSecret: 'data:,s3cr%2Ft%2Bx',
          scopes: [],
          audience: '',
          http: {
            maxIdleConns: 16,
            maxConnsPerHost: 32,
            maxIdleConnsPerHost: 16,
            idleConnTimeout: '30000000000',
            timeout: '10000000000',
            tls: { caPool: [`data:;base64,${b64(CA_PEM)}`], useSystemCaPool: false },
          },
        },
      },
    })
  })

  it('decodes back to the secret and never carries raw PEM (DPS would read it as a path)', () => {
    const r = hubRecord('a b/c')
    expect(decodeURIComponent(r.authorization.provider.clientSecret.slice('data:,'.length))).toBe(
      'a b/c',
    )
    expect(JSON.stringify(r)).not.toContain('BEGIN CERTIFICATE')
  })

  it('falls back to the system pool when no CA is known', () => {
    const r = buildHubRecord({
      profile: hubView({ hubCaPem: null }),
      providerName: 'p',
      issuer: ISSUER,
      issuerCaPem: null,
      clientId: 'dps',
      deviceIdClaim: '',
      clientSecretUri: 'data:,x',
    })
    expect(r.certificateAuthority.grpc.tls).toEqual({ caPool: [], useSystemCaPool: true })
    expect(r.authorization.provider.http.tls).toEqual({ caPool: [], useSystemCaPool: true })
  })

  it.each([
    ['hub:5684', 'coaps+tcp://hub:5684'],
    ['coaps+tcp://hub:5684', 'coaps+tcp://hub:5684'],
    ['coap://hub:5683', 'coap://hub:5683'],
  ])('gateway %s is written as %s', (given, uri) => expect(coapGatewayUri(given)).toBe(uri))

  it.each([
    ['https://api.hub:8443/', 'api.hub:8443'],
    ['api.hub:443', 'api.hub:443'],
    ['api.hub', 'api.hub:443'],
  ])('certificate-authority %s is the gRPC address %s', (given, address) =>
    expect(grpcAddress(given)).toBe(address),
  )
})

describe('enrollment group (interop §3.5)', () => {
  it('carries the chain and PSK as data: URIs and keeps hubs already linked', () => {
    const g = buildGroupRecord({
      name: 'line 1',
      hubId: HUB_ID,
      existingHubIds: ['other', HUB_ID],
      certificateChainPem: CHAIN_PEM,
      preSharedKey: '0123456789abcdef',
    })
    expect(g).toEqual({
      name: 'line 1',
      hubIds: ['other', HUB_ID],
      attestationMechanism: {
        x509: {
          certificateChain: `data:;base64,${b64(CHAIN_PEM)}`,
          expiredCertificateEnabled: false,
        },
      },
      preSharedKey: `data:;base64,${b64('0123456789abcdef')}`,
    })
  })

  it('sends no preSharedKey when none is given', () => {
    const g = buildGroupRecord({
      name: 'g',
      hubId: HUB_ID,
      existingHubIds: [],
      certificateChainPem: CHAIN_PEM,
      preSharedKey: undefined,
    })
    expect('preSharedKey' in g).toBe(false)
  })
})

describe('plan diff', () => {
  it('lists every field of a new record, secrets masked', () => {
    const changes = diffRecord(hubRecord(), undefined, true)
    const secret = changes.find((c) => c.field === 'authorization.provider.clientSecret')
    expect(secret).toEqual({
      field: 'authorization.provider.clientSecret',
      from: null,
      to: 'data:,****',
    })
    expect(changes.find((c) => c.field === 'hubId')?.to).toBe(HUB_ID)
    // Empty values are what DPS drops: nothing to create.
    expect(changes.find((c) => c.field === 'authorization.provider.audience')).toBeUndefined()
    expect(JSON.stringify(changes)).not.toContain('s3cr')
  })

  it("reads DPS's marshalled answer as equal: int64 strings, dropped empties, extra server fields", () => {
    const desired = hubRecord()
    const stored = JSON.parse(JSON.stringify(desired)) as Loose
    stored.id = 'rec-1'
    stored.owner = '1'
    delete stored.authorization.provider.scopes
    delete stored.authorization.provider.audience
    stored.authorization.provider.http.maxIdleConns = '16'
    expect(diffRecord(desired, stored)).toEqual([])
  })

  it('names a changed field with both values, and a replaced secret without either', () => {
    const stored = JSON.parse(JSON.stringify(hubRecord('old'))) as Loose
    stored.gateways = ['coaps+tcp://old:5684']
    const changes = diffRecord(hubRecord('new'), stored, true)
    expect(changes).toEqual([
      {
        field: 'gateways',
        from: ['coaps+tcp://old:5684'],
        to: ['coaps+tcp://hub.example.com:5684'],
      },
      { field: 'authorization.provider.clientSecret', from: 'data:,****', to: 'data:,****' },
    ])
    expect(
      describePlan([{ target: 'dps-hub', action: 'update', id: 'rec-1', name: 'lab', changes }]),
    ).toContain('update        dps-hub lab (rec-1)')
  })

  it('masks a changed pre-shared key on both sides', () => {
    const g = (psk: string) =>
      buildGroupRecord({
        name: 'g',
        hubId: HUB_ID,
        existingHubIds: [],
        certificateChainPem: CHAIN_PEM,
        preSharedKey: psk,
      })
    expect(diffRecord(g('0123456789abcdef'), g('fedcba9876543210'))).toEqual([
      { field: 'preSharedKey', from: 'data:;base64,****', to: 'data:;base64,****' },
    ])
  })
})

describe('operator checklist (interop §3.6)', () => {
  const items = dpsChecklist({
    profile: hubView(),
    issuer: {
      url: ISSUER,
      caPem: CA_PEM,
      ownerClaim: 'https://plgd.dev/owner',
      deviceIdClaim: 'https://plgd.dev/deviceId',
    },
    client: clientView(),
    clientId: 'dps',
    providerName: 'plgd.dps',
  })
  const byId = Object.fromEntries(items.map((i) => [i.id, i]))

  it('marks what the console can see and leaves the hub side to the admin', () => {
    expect(byId['issuer-https']!.done).toBe(true)
    expect(byId['dps-client']!.done).toBe(true)
    expect(byId.claims!.done).toBe(true)
    expect(byId['authorization-endpoints']!.done).toBeNull()
  })

  it("names who acts: only the hub's configuration is the hub admin's", () => {
    expect(items.filter((i) => i.actor === 'hub-admin').map((i) => i.id)).toEqual([
      'authorization-endpoints',
      'coap-gateway-provider',
    ])
    for (const id of ['dps-records', 'device-endpoint', 'watch']) {
      expect(byId[id]).toMatchObject({ done: null, actor: 'operator' })
    }
  })

  it('gives the authorization.endpoints entry as YAML with the console CA inline', () => {
    expect(parse(byId['authorization-endpoints']!.snippet!)).toEqual({
      authorization: {
        endpoints: [
          {
            authority: ISSUER,
            http: {
              timeout: '10s',
              tls: { caPool: [`data:;base64,${b64(CA_PEM)}`], useSystemCAPool: false },
            },
          },
        ],
      },
    })
  })

  it("gives coap-gateway's provider block with grantType clientCredentials", () => {
    const provider = (parse(byId['coap-gateway-provider']!.snippet!) as Loose).apis.coap
      .authorization
    expect(provider.ownerClaim).toBe('https://plgd.dev/owner')
    expect(provider.providers[0]).toMatchObject({
      name: 'plgd.dps',
      authority: ISSUER,
      clientID: 'coap-gateway',
      clientSecretFile: '/secrets/coap-gateway.secret',
      grantType: 'clientCredentials',
      http: { tls: { caPool: [`data:;base64,${b64(CA_PEM)}`], useSystemCAPool: false } },
    })
  })

  it('flags a client that cannot give the device-id claim the hub asks for', () => {
    const [, client] = dpsChecklist({
      profile: hubView(),
      issuer: {
        url: ISSUER,
        caPem: CA_PEM,
        ownerClaim: 'https://plgd.dev/owner',
        deviceIdClaim: 'x',
      },
      client: clientView({ allowDeviceId: false }),
      clientId: 'dps',
      providerName: 'plgd.dps',
    })
    expect(client!.done).toBe(false)
    expect(client!.detail).toContain('device-id claim')
  })
})
