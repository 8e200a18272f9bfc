// @vitest-environment node
import { describe, expect, it } from 'vitest'
import {
  bridgeSite,
  refuseForeignRequest,
  sessionTokenCheck,
} from '../../electron/api/console-bridge-policy.js'

const site = bridgeSite(51234)

describe('refuseForeignRequest', () => {
  it('names where the bridge listens', () => {
    expect(site).toEqual({ host: '127.0.0.1:51234', origin: 'http://127.0.0.1:51234' })
  })

  it.each([
    [{ host: '127.0.0.1:51234' }],
    [{ host: '127.0.0.1:51234', origin: 'http://127.0.0.1:51234' }],
    [{ host: '127.0.0.1:51234', 'sec-fetch-site': 'same-origin' }],
    [{ host: '127.0.0.1:51234', 'sec-fetch-site': 'none' }],
  ])('lets the console through: %j', (headers) => {
    expect(refuseForeignRequest(headers, site)).toBeNull()
  })

  it.each([
    [{}, 'forbidden host'],
    [{ host: 'localhost:51234' }, 'forbidden host'],
    [{ host: 'rebound.example:51234' }, 'forbidden host'],
    [{ host: '127.0.0.1:51235' }, 'forbidden host'],
    [{ host: '127.0.0.1' }, 'forbidden host'],
    [{ host: '127.0.0.1:51234', origin: 'http://127.0.0.1:8080' }, 'forbidden origin'],
    [{ host: '127.0.0.1:51234', origin: 'null' }, 'forbidden origin'],
    [{ host: '127.0.0.1:51234', origin: 'http://localhost:51234' }, 'forbidden origin'],
    [{ host: '127.0.0.1:51234', 'sec-fetch-site': 'same-site' }, 'cross-site request'],
    [{ host: '127.0.0.1:51234', 'sec-fetch-site': 'cross-site' }, 'cross-site request'],
  ])('refuses %j: %s', (headers, reason) => {
    expect(refuseForeignRequest(headers, site)).toEqual({ status: 403, reason })
  })

  // Issue 16: Node keeps the first Host of two; something in front may keep the other.
  it.each([
    [['Host', '127.0.0.1:51234', 'Host', 'rebound.example'], 'duplicate host header'],
    [['host', '127.0.0.1:51234', 'HOST', '127.0.0.1:51234'], 'duplicate host header'],
    [
      ['Host', '127.0.0.1:51234', 'Origin', 'http://127.0.0.1:51234', 'Origin', 'x'],
      'duplicate origin header',
    ],
  ])('refuses a repeated header: %j', (raw, reason) => {
    const headers = { host: '127.0.0.1:51234', origin: 'http://127.0.0.1:51234' }
    expect(refuseForeignRequest(headers, site, raw)).toEqual({ status: 400, reason })
  })

  it('lets one of each through with the raw headers given', () => {
    const raw = ['Host', '127.0.0.1:51234', 'Accept', 'a', 'Accept', 'b']
    expect(refuseForeignRequest({ host: '127.0.0.1:51234' }, site, raw)).toBeNull()
  })
})

describe('sessionTokenCheck', () => {
  const check = sessionTokenCheck('s3cret-token')

  it('accepts exactly the bearer session token', () => {
    expect(check('Bearer s3cret-token')).toBe(true)
  })

  it.each([
    undefined,
    '',
    's3cret-token',
    'bearer s3cret-token',
    'Bearer s3cret-token ',
    'Bearer x',
  ])('refuses %j', (header) => expect(check(header)).toBe(false))
})
