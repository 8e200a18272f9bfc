// @vitest-environment node
import { describe, expect, it } from 'vitest'
import {
  plainHttpSites,
  refuseForeignIssuerRequest,
  refusalMessage,
} from '../../electron/issuer/plain-http-policy.js'

describe('plainHttpSites: the names a plain-HTTP issuer answers', () => {
  it('is the listen address, localhost (loopback) and the public host, with the port', () => {
    expect(plainHttpSites('127.0.0.1', 'Issuer.Lan', 8080).map((s) => s.host)).toEqual([
      '127.0.0.1:8080',
      'issuer.lan:8080',
      'localhost:8080',
    ])
  })

  it('brackets IPv6 and accepts a Host without port on port 80', () => {
    const sites = plainHttpSites('::1', undefined, 80)
    expect(sites.map((s) => s.host)).toEqual(['[::1]:80', '[::1]', 'localhost:80', 'localhost'])
    expect(sites[1]!.origin).toBe('http://[::1]')
  })
})

describe('refuseForeignIssuerRequest', () => {
  const sites = plainHttpSites('127.0.0.1', undefined, 9000)

  it.each<[string, Record<string, string>, string[], number | null]>([
    ['its own Host', { host: '127.0.0.1:9000' }, [], null],
    ['localhost in capitals', { host: 'LocalHost:9000' }, [], null],
    ['a rebound name', { host: 'evil.example:9000' }, [], 403],
    ['a foreign Origin', { host: '127.0.0.1:9000', origin: 'http://evil.example' }, [], 403],
    ['cross-site', { host: '127.0.0.1:9000', 'sec-fetch-site': 'cross-site' }, [], 403],
    [
      'a repeated Host',
      { host: '127.0.0.1:9000' },
      ['Host', '127.0.0.1:9000', 'host', 'evil.example'],
      400,
    ],
  ])('%s → %s', (_name, headers, raw, status) => {
    expect(refuseForeignIssuerRequest(headers, raw, sites)?.status ?? null).toBe(status)
  })

  it('refuses everything until the port is known', () => {
    expect(refuseForeignIssuerRequest({ host: '127.0.0.1:9000' }, [], [])?.status).toBe(503)
  })

  it('tells the caller which names it answers and how to add one', () => {
    const refusal = refuseForeignIssuerRequest({ host: 'evil.example:9000' }, [], sites)!
    const message = refusalMessage(refusal, sites)
    expect(message).toMatch(/^forbidden host: /)
    expect(message).toContain('127.0.0.1:9000, localhost:9000')
    expect(message).toContain('--public-host')
  })
})
