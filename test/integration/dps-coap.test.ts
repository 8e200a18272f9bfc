// @vitest-environment node
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  FORM,
  basicAuth,
  cliJson,
  decodeJwt,
  httpRequest,
  jsonError,
  killAllServes,
  makeTempDir,
  removeTempDirs,
  runCli,
  startServe,
  type HttpResponse,
  type ServeHandle,
} from '../helpers/cli.js'
import { PlgdValidator } from '../helpers/plgd-validator.js'

/**
 * The token requests DPS and coap-gateway send (interop §3.1), byte for byte: a form POST
 * from Go's x/oauth2 with Basic credentials (each part form-urlencoded first), the body
 * fallback, and the owner / device-id / sub parameters named after the claims. DPS then decodes
 * the JWT and compares the claims with the enrollment group; coap-gateway validates it.
 */

const OWNER_CLAIM = 'https://plgd.dev/owner'
const DEVICE_ID_CLAIM = 'https://plgd.dev/deviceId'
// Form-encoded claim names exactly as x/oauth2 writes them (interop §3.1).
const OWNER_PARAM = 'https%3A%2F%2Fplgd.dev%2Fowner'
const DEVICE_ID_PARAM = 'https%3A%2F%2Fplgd.dev%2FdeviceId'
const DEVICE_ID = 'a3f2c9d0-7b1e-4c55-8a6f-0e1d2c3b4a59'
/**
 * Client ids may only use letters, digits and `. _ ~ -` (so `dps:line/1` is refused); `~` is
 * still one a form encoder escapes (%7E), so Basic credentials need decoding here too.
 */
const DPS_ID = 'dps.line~1'

interface Credentials {
  clientId: string
  clientSecret: string
}

interface TokenBody {
  access_token: string
  token_type: string
  expires_in: unknown
  scope: string
}

let server: ServeHandle
let validator: PlgdValidator
/** Owner 1, --allow-device-id: DPS's enrollment group for owner 1. */
let dps: Credentials
/** Owner 1, no device id. */
let plain: Credentials
/** coap-gateway's provider: owner 1, also owner 2, device ids allowed. */
let gateway: Credentials

function post(body: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return httpRequest(server.ready.tokenEndpoint, {
    method: 'POST',
    agent: server.agent,
    headers: { 'content-type': FORM, ...headers },
    body,
  })
}

/** What DPS sends for an enrollment group of `owner` (cloud-configuration step: + device id). */
function dpsBody(owner: string, deviceId?: string): string {
  const device = deviceId === undefined ? '' : `&${DEVICE_ID_PARAM}=${encodeURIComponent(deviceId)}`
  return `grant_type=client_credentials&${OWNER_PARAM}=${encodeURIComponent(owner)}${device}`
}

/** DPS's checks on the returned JWT (decoded, not verified), then a hub's validation. */
async function accepted(res: HttpResponse, owner: string, deviceId?: string) {
  expect(res.status, res.text).toBe(200)
  const body = res.json<TokenBody>()
  expect(body.token_type).toBe('Bearer')
  // x/oauth2 reads expires_in as a JSON number.
  expect(typeof body.expires_in).toBe('number')
  expect(Number.isInteger(body.expires_in)).toBe(true)
  expect(body.expires_in as number).toBeGreaterThan(0)
  const { payload } = decodeJwt(body.access_token)
  expect(payload[OWNER_CLAIM]).toBe(owner)
  if (deviceId === undefined) expect(payload).not.toHaveProperty([DEVICE_ID_CLAIM])
  else expect(payload[DEVICE_ID_CLAIM]).toBe(deviceId)
  const valid = await validator.validate(body.access_token)
  expect(valid.owner).toBe(owner)
  return valid.claims
}

function refused(res: HttpResponse, status = 400): { error: string; code: number } {
  expect(res.status, res.text).toBe(status)
  const body = res.json<{ error: string; code: number }>()
  expect(typeof body.error).toBe('string')
  expect(typeof body.code).toBe('number')
  return body
}

beforeAll(async () => {
  const dataDir = makeTempDir()
  // The id rules refuse ':' and '/': DPS_ID uses '~' instead (see above).
  const idRule = await runCli(['clients', 'add', '--id', 'dps:line/1', '--owner', '1', '--json'], {
    dataDir,
  })
  expect(idRule.code).not.toBe(0)
  expect(jsonError(idRule).code).toBe('invalid_input')
  dps = await cliJson<Credentials>(
    ['clients', 'add', '--id', DPS_ID, '--owner', '1', '--allow-device-id'],
    { dataDir },
  )
  plain = await cliJson<Credentials>(['clients', 'add', '--id', 'dps-plain', '--owner', '1'], {
    dataDir,
  })
  gateway = await cliJson<Credentials>(
    [
      'clients',
      'add',
      '--id',
      'coap-gw',
      '--owner',
      '1',
      '--allowed-owner',
      '2',
      '--allow-device-id',
    ],
    { dataDir },
  )
  server = await startServe(dataDir)
  validator = await PlgdValidator.create({ authority: server.ready.issuer, ca: server.ca! })
})

afterAll(async () => {
  validator?.close()
  try {
    await server?.stop()
  } finally {
    await killAllServes()
    removeTempDirs()
  }
})

describe('the DPS request (Go x/oauth2)', () => {
  it('takes Basic credentials form-urlencoded first (RFC 6749 §2.3.1)', async () => {
    const header = basicAuth(dps.clientId, dps.clientSecret)
    // The header really carries the escaped id.
    expect(Buffer.from(header.slice(6), 'base64').toString()).toMatch(/^dps\.line%7E1:/)
    await accepted(await post(dpsBody('1'), { authorization: header }), '1')
    // Go's url.QueryEscape leaves '~' alone: the raw form works as well.
    const raw = `Basic ${Buffer.from(`${dps.clientId}:${dps.clientSecret}`).toString('base64')}`
    await accepted(await post(dpsBody('1'), { authorization: raw }), '1')
  })

  it('falls back to credentials in the body after a failed Basic attempt', async () => {
    const first = await post(dpsBody('1'), { authorization: basicAuth(dps.clientId, 'wrong') })
    expect(refused(first, 401).error).toBe('invalid_client')
    const body = `${dpsBody('1')}&${new URLSearchParams({
      client_id: dps.clientId,
      client_secret: dps.clientSecret,
    }).toString()}`
    expect(body).toContain('client_id=dps.line%7E1')
    await accepted(await post(body), '1')
  })

  it('puts the device id into the device-id claim for a client that allows it', async () => {
    const res = await post(dpsBody('1', DEVICE_ID), {
      authorization: basicAuth(dps.clientId, dps.clientSecret),
    })
    const claims = await accepted(res, '1', DEVICE_ID)
    expect(claims.sub).toBe('1')
    expect(claims.client_id).toBe(DPS_ID)
  })

  it('refuses a device id for a client without --allow-device-id (400)', async () => {
    const auth = { authorization: basicAuth(plain.clientId, plain.clientSecret) }
    const body = refused(await post(dpsBody('1', DEVICE_ID), auth))
    expect(body.error).toBe('invalid_request')
    expect(body.code).toBe(3)
    // The same client without the parameter: a token without the claim.
    await accepted(await post(dpsBody('1'), auth), '1')
  })

  it("refuses an owner that is not the client's (400)", async () => {
    const res = await post(dpsBody('2', DEVICE_ID), {
      authorization: basicAuth(dps.clientId, dps.clientSecret),
    })
    const body = refused(res)
    expect(body.error).toBe('invalid_request')
    expect(body.code).toBe(3)
  })
})

describe('a client with --allowed-owner (coap-gateway, several owners)', () => {
  const auth = (): Record<string, string> => ({
    authorization: basicAuth(gateway.clientId, gateway.clientSecret),
  })

  it('mints for an allowed owner with that owner in the claim, and refuses the rest', async () => {
    const claims = await accepted(await post(dpsBody('2'), auth()), '2')
    expect(claims.sub).toBe('2')
    await accepted(await post(dpsBody('1'), auth()), '1')
    expect(refused(await post(dpsBody('3'), auth())).error).toBe('invalid_request')
  })

  it("answers coap-gateway's re-request with owner, sub and device id parameters", async () => {
    // The device's DPS token...
    const dpsRes = await post(dpsBody('1', DEVICE_ID), {
      authorization: basicAuth(dps.clientId, dps.clientSecret),
    })
    const dpsClaims = await accepted(dpsRes, '1', DEVICE_ID)
    // ...is validated by coap-gateway, which then asks its own provider (interop §3.1 step 3).
    for (const sub of [String(dpsClaims.sub), 'user-7']) {
      const body =
        `grant_type=client_credentials&${OWNER_PARAM}=1` +
        `&sub=${encodeURIComponent(sub)}&${DEVICE_ID_PARAM}=${DEVICE_ID}`
      const claims = await accepted(await post(body, auth()), '1', DEVICE_ID)
      expect(claims.sub).toBe(sub)
      expect(claims.client_id).toBe('coap-gw')
    }
    // For owner 2, with a subject of its own.
    const body2 = `grant_type=client_credentials&${OWNER_PARAM}=2&sub=user-9&${DEVICE_ID_PARAM}=${DEVICE_ID}`
    expect((await accepted(await post(body2, auth()), '2', DEVICE_ID)).sub).toBe('user-9')
  })

  it('refuses another subject from a single-owner client', async () => {
    const res = await post(`${dpsBody('1')}&sub=user-7`, {
      authorization: basicAuth(dps.clientId, dps.clientSecret),
    })
    expect(refused(res).error).toBe('invalid_request')
  })
})
