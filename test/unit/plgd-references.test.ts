// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { plgdReferences, readPlgdConfig } from '../../electron/export/plgd-config.js'

/**
 * The files a plgd m2m-oauth-server config.yaml names: the one reading the console's import
 * dialog, the CLI's `import plgd` and the import itself share.
 */

const CONFIG = `oauthSigner:
  privateKeyFile: /keys/signing.pem
  ownerClaim: https://plgd.dev/owner
  clients:
    - id: dps
      owner: "1"
      secretFile: /secrets/clients/dps
    - id: inline
      owner: "1"
      secretFile: "data:,inline-secret"
    - id: ui
      jwtPrivateKey:
        enabled: true
        authorization:
          endpoints:
            - authority: https://a.example
              http: { tls: { caPool: [file:///certs/a.pem, "data:;base64,QQ=="] } }
            - authority: https://b.example
              http: { tls: { caPool: /keys/signing.pem } }
apis:
  grpc:
    tls:
      caPool: /certs/server-ca.pem
`

describe('plgd config references', () => {
  it("lists the signer's files once each, in order, without data: references or other blocks", () => {
    expect(plgdReferences(readPlgdConfig(CONFIG).signer)).toEqual([
      { reference: '/keys/signing.pem', what: 'oauthSigner.privateKeyFile' },
      { reference: '/secrets/clients/dps', what: 'oauthSigner.clients[0].secretFile (client dps)' },
      {
        reference: 'file:///certs/a.pem',
        what: 'oauthSigner.clients[2].jwtPrivateKey.authorization.endpoints[0].http.tls.caPool',
      },
    ])
  })

  it('skips malformed entries rather than failing: import names what is wrong with them', () => {
    const signer = {
      privateKeyFile: 7,
      clients: [null, 'x', { secretFile: ' ' }, { jwtPrivateKey: 1 }],
    }
    expect(plgdReferences(signer)).toEqual([])
  })

  it('refuses text that is not YAML, and YAML without an oauthSigner block, saying which', () => {
    expect(() => readPlgdConfig('a: [')).toThrow(/config.yaml is not YAML/)
    expect(() => readPlgdConfig('apis: {}\n')).toThrow(
      'config.yaml has no oauthSigner block: choose the m2m-oauth-server config',
    )
    expect(() => readPlgdConfig('- oauthSigner\n')).toThrow(/no oauthSigner block/)
  })
})
