import { decodeJwt } from 'jose'
import type {
  CredentialAttempt,
  CredentialStyle,
  ParsedInput,
  TestCredentialsResult,
} from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import type { ClientRecord } from './client-record.js'

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export interface PostAnswer {
  status: number
  body: string
}

export interface CredentialTestDeps {
  /** The token endpoint over loopback, and the URL services are given (for the report). */
  loopbackTokenEndpoint: string
  tokenEndpoint: string
  /** One form POST to the token endpoint; throws when nothing answers. */
  post(url: string, form: string, headers: Record<string, string>): Promise<PostAnswer>
  /** What the admin may already see about the id: undefined when no such client. */
  find(id: string): ClientRecord | undefined
  ownerClaim: string
  nowSeconds(): number
}

/** x/oauth2 escapes the id and secret before Basic encoding (RFC 6749 §2.3.1); so do we. */
function basicHeader(id: string, secret: string): string {
  const encode = (v: string): string => encodeURIComponent(v).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`
}

function oauthError(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown }
    return typeof parsed.error === 'string' ? parsed.error : undefined
  } catch {
    return undefined
  }
}

/**
 * `clients.testCredentials`: asks the running token endpoint for a token exactly as a service
 * would (HTTP Basic first, then the form body, as Go's x/oauth2 does; or a client assertion).
 * The wire answers one generic invalid_client, so a refusal is explained from what the console
 * already shows its admin about that id. The token itself never leaves this function.
 */
export async function testCredentials(
  deps: CredentialTestDeps,
  input: ParsedInput<'clients.testCredentials'>,
): Promise<TestCredentialsResult> {
  const { clientId, clientSecret, clientAssertion } = input
  const base = 'grant_type=client_credentials'
  const form = (extra: Record<string, string>): string =>
    [base, ...Object.entries(extra).map(([k, v]) => `${k}=${encodeURIComponent(v)}`)].join('&')
  const tries: { style: CredentialStyle; body: string; headers: Record<string, string> }[] =
    clientSecret !== undefined
      ? [
          {
            style: 'client_secret_basic',
            body: base,
            headers: { authorization: basicHeader(clientId, clientSecret) },
          },
          {
            style: 'client_secret_post',
            body: form({ client_id: clientId, client_secret: clientSecret }),
            headers: {},
          },
        ]
      : [
          {
            style: 'client_assertion',
            body: form({
              client_id: clientId,
              client_assertion_type: JWT_BEARER,
              client_assertion: clientAssertion ?? '',
            }),
            headers: {},
          },
        ]
  const attempts: CredentialAttempt[] = []
  for (const attempt of tries) {
    let answer: PostAnswer
    try {
      answer = await deps.post(deps.loopbackTokenEndpoint, attempt.body, {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...attempt.headers,
      })
    } catch (err) {
      throw new AppError(
        'upstream',
        `the token endpoint ${deps.tokenEndpoint} did not answer (${(err as Error).message}): ` +
          'start the issuer (the dashboard, or `serve`) and test again',
      )
    }
    const error = answer.status === 200 ? undefined : oauthError(answer.body)
    attempts.push({ style: attempt.style, status: answer.status, ...(error ? { error } : {}) })
    if (answer.status === 200) {
      return {
        ok: true,
        tokenEndpoint: deps.tokenEndpoint,
        attempts,
        claims: summarize(answer.body, deps),
      }
    }
    // Throttled: a second try would only be refused again and prolong the block.
    if (answer.status === 429) break
  }
  return {
    ok: false,
    tokenEndpoint: deps.tokenEndpoint,
    attempts,
    explanation: explain(deps.find(clientId), input, attempts),
  }
}

function summarize(body: string, deps: CredentialTestDeps): TestCredentialsResult['claims'] {
  const { access_token: token } = JSON.parse(body) as { access_token: string }
  const claims = decodeJwt(token)
  const aud = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud]
  const owner = claims[deps.ownerClaim]
  return {
    sub: claims.sub ?? '',
    ...(typeof owner === 'string' ? { owner } : {}),
    audiences: aud,
    scope: typeof claims.scope === 'string' ? claims.scope : '',
    expiresInSeconds: (claims.exp ?? deps.nowSeconds()) - deps.nowSeconds(),
  }
}

/** The cause of a refusal, told only from facts the admin can already see on the client page. */
export function explain(
  client: ClientRecord | undefined,
  input: ParsedInput<'clients.testCredentials'>,
  attempts: CredentialAttempt[],
): string {
  const last = attempts[attempts.length - 1]
  if (last?.status === 429) {
    return (
      'the issuer is refusing this address for a while after too many failed authentications ' +
      '(throttled): wait a few minutes and test again; the dashboard shows the blocked addresses'
    )
  }
  if (!client) {
    return `there is no client ${input.clientId} on this issuer: check the id (the Clients page, or \`clients list\`); ids are case-sensitive`
  }
  if (client.disabled) {
    return `client ${client.id} is disabled: enable it on its page (or \`clients enable ${client.id}\`)`
  }
  const method = client.auth.method
  if (input.clientSecret !== undefined && method !== 'client_secret') {
    return `client ${client.id} authenticates with ${method}, not a secret: the service must send a client assertion`
  }
  if (input.clientAssertion !== undefined && method === 'client_secret') {
    return `client ${client.id} authenticates with a secret, not an assertion: paste its secret`
  }
  if (last?.error === 'invalid_client') {
    return method === 'client_secret'
      ? `the secret does not match any secret of ${client.id} that still works (a rotated secret stops when its grace period ends): paste the newest secret, or rotate and give the service the new one`
      : `the assertion was refused: it must be a JWT for ${client.id}, signed with a key the client's ${method === 'private_key_jwt' ? 'JWKS' : 'trusted authority'} publishes, not expired, and not used before`
  }
  return `the client authenticated, but the token endpoint refused the request (${last?.error ?? `HTTP ${last?.status}`}): check the client's owner, audiences and lifetime on its page`
}
