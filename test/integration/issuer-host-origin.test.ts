// @vitest-environment node
import { request } from 'node:http'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startIssuer, type RunningIssuer } from '../../electron/issuer/issuer-runtime.js'
import { openTestApp, type TestApp } from '../helpers/fakes.js'

/**
 * Issue 16 item 5: a plain-HTTP issuer (`--insecure-http`) refuses a foreign Host, a foreign
 * Origin and a cross-site Sec-Fetch-Site, as the console bridge does, so a web page (form POST,
 * DNS rebinding) cannot use up 127.0.0.1's failure budget; hubs (own Host, no Origin) still work.
 */

let t: TestApp
let issuer: RunningIssuer
let port: number
let secret: string

interface Answer {
  status: number
  body: string
}

function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers, setHost: false },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const FORM = 'application/x-www-form-urlencoded'
const tokenForm = (s: string) =>
  new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'dps',
    client_secret: s,
  }).toString()
const own = () => ({ host: `127.0.0.1:${port}` })

beforeAll(async () => {
  t = await openTestApp()
  secret = t.app.clients.add({ id: 'dps', owner: '1' }).clientSecret!
  issuer = await startIssuer(t.app, {
    listen: { host: '127.0.0.1', port: 0 },
    publicHost: 'issuer.test',
    insecureHttp: true,
  })
  port = Number(issuer.ready.listen.split(':').at(-1))
})

afterAll(async () => {
  await issuer?.stop()
  t?.close()
})

describe('plain-HTTP issuer: Host, Origin and Sec-Fetch-Site', () => {
  it.each<[string, () => Record<string, string>]>([
    ['a rebound name', () => ({ host: `evil.example:${port}` })],
    ['the right name on another port', () => ({ host: `127.0.0.1:${port + 1}` })],
  ])('refuses %s as Host with 403, naming the hosts it answers', async (_name, headers) => {
    const res = await send('GET', '/m2m-oauth-server/.well-known/jwks.json', headers())
    expect(res.status).toBe(403)
    expect(JSON.parse(res.body)).toMatchObject({ code: 7 })
    expect(res.body).toMatch(/forbidden host/)
    expect(res.body).toContain(`127.0.0.1:${port}`)
  })

  it('refuses a request without Host (Node itself, for HTTP/1.1)', async () => {
    const res = await send('GET', '/m2m-oauth-server/.well-known/jwks.json', {})
    expect(res.status).toBe(400)
  })

  it('refuses a repeated Host (a proxy in front might honour the other one)', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.write(
          'GET /m2m-oauth-server/.well-known/jwks.json HTTP/1.1\r\n' +
            `Host: 127.0.0.1:${port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`,
        )
      })
      let text = ''
      socket.setEncoding('utf8')
      socket.on('data', (c: string) => (text += c))
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
    })
    expect(answer).toMatch(/^HTTP\/1\.1 400/)
    expect(answer).toMatch(/duplicate host header/)
  })

  it('refuses a rebound Host on the token endpoint too', async () => {
    const res = await send(
      'POST',
      '/m2m-oauth-server/oauth/token',
      { host: `attacker.example:${port}`, 'content-type': FORM },
      tokenForm(secret),
    )
    expect(res.status).toBe(403)
  })

  it('refuses a cross-site form POST (foreign Origin, or Sec-Fetch-Site cross-site)', async () => {
    const cases: Record<string, string>[] = [
      { origin: 'https://attacker.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ]
    for (const extra of cases) {
      const res = await send(
        'POST',
        '/m2m-oauth-server/oauth/token',
        { ...own(), 'content-type': FORM, ...extra },
        tokenForm(secret),
      )
      expect(res.status, JSON.stringify(extra)).toBe(403)
    }
  })

  it('does not let a web page use up the failure budget of 127.0.0.1', async () => {
    for (let i = 0; i < 15; i++) {
      const res = await send(
        'POST',
        '/m2m-oauth-server/oauth/token',
        { ...own(), 'content-type': FORM, origin: 'https://attacker.example' },
        tokenForm(`wrong-${i}`),
      )
      expect(res.status).toBe(403)
    }
    expect(t.app.tokens.authenticationStats().failures).toBe(0)
    const ok = await send(
      'POST',
      '/m2m-oauth-server/oauth/token',
      { ...own(), 'content-type': FORM },
      tokenForm(secret),
    )
    expect(ok.status, ok.body).toBe(200)
  })

  it.each<[string, () => Record<string, string>]>([
    ['a hub: its own Host, no Origin', own],
    ['localhost', () => ({ host: `localhost:${port}` })],
    ['the public host name', () => ({ host: `issuer.test:${port}` })],
    ['a Host in capitals', () => ({ host: `LOCALHOST:${port}` })],
    [
      'a same-origin page',
      () => ({ ...own(), origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' }),
    ],
    ['a typed URL', () => ({ ...own(), 'sec-fetch-site': 'none' })],
  ])('serves %s', async (_name, headers) => {
    const jwks = await send('GET', '/m2m-oauth-server/.well-known/jwks.json', headers())
    expect(jwks.status, jwks.body).toBe(200)
    const token = await send(
      'POST',
      '/m2m-oauth-server/oauth/token',
      { ...headers(), 'content-type': FORM },
      tokenForm(secret),
    )
    expect(token.status, token.body).toBe(200)
  })
})
