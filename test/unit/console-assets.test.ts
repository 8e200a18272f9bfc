// @vitest-environment node
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CONTENT_SECURITY_POLICY,
  SECURITY_HEADERS,
  contentTypeFor,
  loadStaticAsset,
} from '../../electron/api/console-assets.js'

describe('content types', () => {
  it('knows the content types the build emits', () => {
    expect(contentTypeFor('index.html')).toBe('text/html; charset=utf-8')
    expect(contentTypeFor('a.JS')).toBe('text/javascript; charset=utf-8')
    expect(contentTypeFor('a.css')).toBe('text/css; charset=utf-8')
    expect(contentTypeFor('a.svg')).toBe('image/svg+xml')
    expect(contentTypeFor('a.woff2')).toBe('font/woff2')
    expect(contentTypeFor('a.exe')).toBe('application/octet-stream')
  })
})

describe('loadStaticAsset', () => {
  let root: string
  let dir: string

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'plgd-policy-'))
    dir = join(root, 'renderer')
    mkdirSync(join(dir, 'assets'), { recursive: true })
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>')
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)')
    writeFileSync(join(dir, '.env'), 'SECRET=1')
    writeFileSync(join(root, 'outside.txt'), 'outside')
    symlinkSync(join(root, 'outside.txt'), join(dir, 'assets', 'link.txt'))
    symlinkSync(root, join(dir, 'up'))
  })

  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('serves files with their type; index.html is never cached', async () => {
    const index = await loadStaticAsset(dir, '/')
    expect(index?.body.toString()).toContain('<title>console</title>')
    expect(index).toMatchObject({
      contentType: 'text/html; charset=utf-8',
      cacheControl: 'no-store',
    })
    const js = await loadStaticAsset(dir, '/assets/app.js')
    expect(js).toMatchObject({ contentType: 'text/javascript; charset=utf-8' })
    expect(js?.cacheControl).toBe('no-cache')
  })

  it('answers routes of the single-page app with index.html', async () => {
    // A directory is never listed: without an extension it is just another route.
    for (const route of ['/clients', '/clients/console-dps', '/keys', '/assets']) {
      expect((await loadStaticAsset(dir, route))?.file).toBe(join(dir, 'index.html'))
    }
  })

  it.each([
    '/assets/missing.js',
    '/.env',
    '/%2eenv',
    '/assets/link.txt',
    '/up/outside.txt',
    '/../outside.txt',
    '/assets/',
  ])('does not serve %s', async (path) => {
    expect(await loadStaticAsset(dir, path)).toBeNull()
  })
})

describe('headers and CSP', () => {
  it('is the console CSP, exactly', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
        "frame-ancestors 'none'; form-action 'none'",
    )
  })

  it('sends the CSP and the hardening headers with every response', () => {
    expect(SECURITY_HEADERS).toEqual({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    })
    expect(Object.isFrozen(SECURITY_HEADERS)).toBe(true)
  })
})
