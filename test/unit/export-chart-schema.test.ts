import { describe, expect, it } from 'vitest'
import { checkChartValues } from '../helpers/plgd-chart-schema.js'

describe('plgd chart values checker', () => {
  it('accepts the shapes of interop §7 (issuer trust, enrollment group, m2m-oauth-server client)', () => {
    const values = {
      global: {
        ownerClaim: 'https://plgd.dev/owner',
        deviceIdClaim: 'https://plgd.dev/deviceId',
        m2mOAuthServer: { privateKey: '-----BEGIN EC PRIVATE KEY-----' },
        authorization: {
          endpoints: [
            {
              authority: 'https://console.example.lan:8443/m2m-oauth-server',
              http: { timeout: '10s', tls: { useSystemCAPool: false, caPool: '/certs/ca.crt' } },
            },
          ],
        },
        extraCAPool: { authorization: '-----BEGIN CERTIFICATE-----' },
      },
      m2moauthserver: {
        enabled: true,
        domain: 'hub.example.com',
        oauthSigner: {
          ownerClaim: 'sub',
          deviceIdClaim: 'https://plgd.dev/deviceId',
          privateKeyFile: '/keys/private.pem',
          clients: [
            {
              id: 'dps',
              secretFile: '/secrets/dps',
              accessTokenLifetime: '0s',
              allowedGrantTypes: ['client_credentials'],
              allowedAudiences: [],
              allowedScopes: [],
              insertTokenClaims: { tenant: 'a' },
              jwtPrivateKey: { enabled: false, authorization: { audience: '', endpoints: [] } },
            },
          ],
        },
      },
      deviceProvisioningService: {
        enrollmentGroups: [
          {
            id: '6aa1aa8e-2b91-48ee-bfbc-a4e22d8e20d8',
            owner: '1',
            attestationMechanism: { x509: { certificateChain: 'PEM' } },
            hub: {
              hubId: 'd03a1bb4-0a77-428c-b78c-1c46efe6a38e',
              coapGateway: 'hub.example.com:5684',
              authorization: {
                ownerClaim: 'https://plgd.dev/owner',
                provider: { name: 'plgd.dps', clientId: 'dps', clientSecret: 's', scopes: [] },
              },
            },
          },
        ],
      },
      coapgateway: {
        apis: {
          coap: {
            authorization: {
              providers: [{ name: 'plgd.dps', clientID: 'dps', grantType: 'clientCredentials' }],
            },
          },
        },
      },
    }
    expect(checkChartValues(values)).toEqual([])
  })

  it('reports a misspelt key and a wrong type, with their paths', () => {
    const problems = checkChartValues({
      global: { ownerClaim: 'sub', autorization: {} },
      m2moauthserver: {
        enabled: 'yes',
        oauthSigner: { clients: [{ id: 'a', accessTokenLifetime: 5 }] },
      },
    })
    expect(problems.map((p) => p.path)).toEqual([
      'global.autorization',
      'm2moauthserver.enabled',
      'm2moauthserver.oauthSigner.clients[0].accessTokenLifetime',
    ])
    expect(problems[0]?.problem).toMatch(/unknown key/)
    expect(problems[1]?.problem).toMatch(/boolean/)
  })
})
