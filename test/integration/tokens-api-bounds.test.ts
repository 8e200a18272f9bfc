// @vitest-environment node
import { request } from 'node:http'
import { v7 as uuidv7 } from 'uuid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startIssuer, type RunningIssuer } from '../../electron/issuer/issuer-runtime.js'
import { MAX_LIST_ROWS, NEXT_PAGE_HEADER } from '../../electron/issuer/token-list.js'
import { openTestApp, type TestApp } from '../helpers/fakes.js'

/**
 * Issue 16 item 6: GET /m2m-oauth-server/api/v1/tokens answers at most MAX_LIST_ROWS records
 * per response, newest first, with X-Next-Page-Token naming where the next page starts, and
 * full lists are rate-limited per bearer; a hub's one-id check is neither capped nor limited.
 */

const PATH = '/m2m-oauth-server/api/v1/tokens'
const STORED = MAX_LIST_ROWS + 234

let t: TestApp
let issuer: RunningIssuer
let port: number
let bearer: string
let bearerJti: string

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function get(query: string, token = bearer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: `${PATH}${query}`,
        headers: { authorization: `bearer ${token}` },
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

const ids = (body: string): string[] =>
  body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { result: { id: string } }).result.id)

async function mint(): Promise<{ accessToken: string; jti: string }> {
  return t.app.tokens.issueAsAdmin({ clientId: 'dps', audiences: [], scopes: [] })
}

beforeAll(async () => {
  t = await openTestApp()
  t.app.clients.add({ id: 'dps', owner: '1' })
  issuer = await startIssuer(t.app, { listen: { host: '127.0.0.1', port: 0 }, insecureHttp: true })
  port = Number(issuer.ready.listen.split(':').at(-1))
  const now = t.clock.now
  await Promise.all(
    Array.from({ length: STORED }, (_, i) =>
      t.app.ledger.record({
        id: uuidv7(),
        name: `t${i}`,
        owner: '1',
        issuedAt: now,
        audience: [],
        scope: [],
        expiration: now + 3600,
        clientId: 'dps',
        subject: '1',
        originalTokenClaims: null,
        blacklisted: null,
      }),
    ),
  )
  ;({ accessToken: bearer, jti: bearerJti } = await mint())
})

afterAll(async () => {
  await issuer?.stop()
  t?.close()
})

describe('GET /api/v1/tokens: bounded, paged, rate-limited per bearer', () => {
  it('answers at most the cap, then the rest on the page the header names, in order', async () => {
    const first = await get('')
    expect(first.status, first.body).toBe(200)
    const page1 = ids(first.body)
    expect(page1).toHaveLength(MAX_LIST_ROWS)
    const next = first.headers[NEXT_PAGE_HEADER]
    expect(next).toBe(page1.at(-1))

    const second = await get(`?pageToken=${String(next)}`)
    const page2 = ids(second.body)
    expect(second.headers[NEXT_PAGE_HEADER]).toBeUndefined()
    const all = [...page1, ...page2]
    // Every stored token (plus the bearer's own), once each, newest first.
    expect(all).toHaveLength(STORED + 1)
    expect(new Set(all).size).toBe(all.length)
    expect(all).toEqual([...all].sort().reverse())
    expect(all[0]).toBe(bearerJti)
  })

  it('honours a smaller pageSize', async () => {
    const res = await get('?pageSize=7')
    expect(ids(res.body)).toHaveLength(7)
    expect(res.headers[NEXT_PAGE_HEADER]).toBe(ids(res.body).at(-1))
  })

  it('refuses a malformed pageSize with 400 and the accepted range', async () => {
    const res = await get('?pageSize=0')
    expect(res.status).toBe(400)
    expect(JSON.parse(res.body)).toMatchObject({ code: 3 })
    expect(res.body).toMatch(/1 to 1000/)
  })

  it('limits full lists per bearer (429, code 8, Retry-After), not other bearers', async () => {
    const { accessToken } = await mint()
    const statuses: number[] = []
    for (let i = 0; i < 31; i++) statuses.push((await get('?pageSize=1', accessToken)).status)
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true)
    const refused = await get('?pageSize=1', accessToken)
    expect(refused.status).toBe(429)
    expect(JSON.parse(refused.body)).toMatchObject({ code: 8 })
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(refused.body).toMatch(/idFilter/)
    // A hub's per-token check with the same bearer still works: never limited.
    const one = await get(`?idFilter=${bearerJti}&includeBlacklisted=true`, accessToken)
    expect(one.status).toBe(200)
    expect(ids(one.body)).toEqual([bearerJti])
    // Another bearer has its own budget.
    const other = await mint()
    expect((await get('?pageSize=1', other.accessToken)).status).toBe(200)
  })
})
