// Comparison point: panva's oidc-provider issuing ES256 JWT access tokens for the
// client_credentials grant (client_secret_basic) over HTTPS, one process, in-memory adapter.
// argv[2]: the client secret the benchmark will present.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer } from 'node:https'
import { announceReady, makeTls } from './lib.mjs'

const CLIENT_ID = 'bench'
const RESOURCE = 'urn:plgd:bench-api'
const secret = process.argv[2]
if (!secret) {
  process.stderr.write('usage: oidc-provider-server.mjs CLIENT_SECRET\n')
  process.exit(2)
}

const { default: Provider } = await import('oidc-provider')
const tls = await makeTls()
const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })

const server = createServer({ key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' })
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address()
  const provider = new Provider(`https://127.0.0.1:${port}`, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...jwk, kid: 'oidc-provider-bench', alg: 'ES256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: '',
          audience: RESOURCE,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  })
  provider.on('server_error', (_ctx, err) => process.stderr.write(`server_error: ${err.stack}\n`))
  server.on('request', provider.callback())
  announceReady({ port, path: '/token', ca: tls.ca })
})
