// @vitest-environment node
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  PASSPHRASE_PAGE_CSP,
  SECURITY_HEADERS,
  WEB_PREFERENCES,
  appRequestPath,
  contentTypeFor,
  isAllowedExternalUrl,
  isSameAppOrigin,
  loadStaticAsset,
  readPassphraseForm,
  renderPassphrasePage,
  resolveAppFile,
  resolveStaticFile,
  toAllowedExternalUrl,
  type PassphrasePrompt,
} from '../../electron/electron-shell-policy.js'

const STATIC = join(tmpdir(), 'plgd-policy-static')

describe('external links', () => {
  it.each([
    'https://plgd.dev',
    'https://plgd.dev/',
    'https://docs.plgd.dev/docs/configuration/dps/',
    'https://docs.plgd.dev/?q=a#b',
    'https://github.com/plgd-dev',
    'https://github.com/plgd-dev/',
    'https://github.com/plgd-dev/hub/issues/1',
    'https://GitHub.com/plgd-dev/hub',
    'https://docs.plgd.dev:443/',
  ])('opens %s', (url) => {
    expect(isAllowedExternalUrl(url)).toBe(true)
  })

  it.each([
    'http://plgd.dev/',
    'http://docs.plgd.dev/',
    'https://www.plgd.dev/',
    'https://plgd.dev.evil.example/',
    'https://evilplgd.dev/',
    'https://evil.example/plgd.dev',
    'https://evil.example/?u=https://plgd.dev/',
    'https://plgd.dev@evil.example/',
    'https://user:pw@plgd.dev/',
    'https://plgd.dev:8443/',
    'https://github.com/',
    'https://github.com/evil/plgd-dev',
    'https://github.com/plgd-devil/hub',
    'https://github.com/plgd-dev/../evil/repo',
    'https://github.com/plgd-dev/%2e%2e/evil/repo',
    'https://github.com.evil.example/plgd-dev/hub',
    'https://gist.github.com/plgd-dev/x',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'app://console/',
    'data:text/html,x',
    'mailto:security@plgd.dev',
    'ftp://plgd.dev/',
    '//plgd.dev/',
    'plgd.dev',
    '',
  ])('does not open %s', (url) => {
    expect(isAllowedExternalUrl(url)).toBe(false)
  })

  it('returns the normalized URL, which is what gets opened', () => {
    expect(toAllowedExternalUrl('https://DOCS.plgd.dev/a b')).toBe('https://docs.plgd.dev/a%20b')
    expect(toAllowedExternalUrl(' https://plgd.dev/\n')).toBe('https://plgd.dev/')
  })
})

describe('app origin', () => {
  it.each(['app://console/', 'app://console/index.html', 'app://console/clients?x=1#y'])(
    '%s is the app',
    (url) => expect(isSameAppOrigin(url)).toBe(true),
  )

  it.each([
    'app://console.evil/',
    'app://evil/',
    'app://console:1/',
    'app://console@evil/',
    'http://console/',
    'https://console/',
    'file:///index.html',
    'about:blank',
    'https://docs.plgd.dev/',
    '',
  ])('%s is not', (url) => expect(isSameAppOrigin(url)).toBe(false))
})

describe('static file resolution', () => {
  it('maps / and plain paths inside the directory', () => {
    expect(resolveAppFile(STATIC, 'app://console/')).toBe(join(STATIC, 'index.html'))
    expect(resolveAppFile(STATIC, 'app://console/assets/index-abc.js?v=1#x')).toBe(
      join(STATIC, 'assets', 'index-abc.js'),
    )
    expect(resolveStaticFile(STATIC, '/assets/a%20b.css')).toBe(join(STATIC, 'assets', 'a b.css'))
    // Decoded once: a double-encoded dot is a literal file name, inside the directory.
    expect(resolveStaticFile(STATIC, '/%252e%252e')).toBe(join(STATIC, '%2e%2e'))
  })

  it.each([
    'app://console/../../etc/passwd',
    'app://console/assets/../../../etc/passwd',
    'app://console/%2e%2e/%2e%2e/etc/passwd',
    'app://console/%2E%2E/etc/passwd',
    'app://console/.%2e/etc/passwd',
    'app://console/..%2f..%2fetc%2fpasswd',
    'app://console/assets%2f..%2f..%2fsecret',
    'app://console/..%5c..%5cwindows%5cwin.ini',
    'app://console/assets\\..\\..\\secret',
    'app://console//etc/passwd',
    'app://console/%2fetc%2fpasswd',
    'app://console/C:/Windows/win.ini',
    'app://console/C%3a%5cWindows%5cwin.ini',
    'app://console/index.html%00.png',
    'app://console/%0aindex.html',
    'app://console/.env',
    'app://console/.git/config',
    'app://console/assets/.hidden',
    'app://console/./index.html',
    'app://console/assets/',
    'app://console/%E0%A4%A',
    'app://console.evil/index.html',
    'app://evil/index.html',
    'app://console@evil/index.html',
    'app://console:80/index.html',
    'app:///etc/passwd',
    'file:///etc/passwd',
    '/etc/passwd',
    'etc/passwd',
    'https://console/index.html',
  ])('refuses %s', (url) => {
    expect(resolveAppFile(STATIC, url)).toBeNull()
  })

  it.each(['etc/passwd', '', 'C:\\Windows', '\\\\server\\share'])(
    'refuses the request path %j',
    (path) => expect(resolveStaticFile(STATIC, path)).toBeNull(),
  )

  it('never leaves the directory, whatever the segments', () => {
    const pieces = ['..', '.', '%2e', '%2e%2e', '%2f', '%5c', 'a', '', '.x', 'b.js', '%00', ':']
    let seed = 7
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
    for (let i = 0; i < 5000; i++) {
      const count = 1 + (next() % 5)
      const path = `/${Array.from({ length: count }, () => pieces[next() % pieces.length]).join('/')}`
      const file = resolveStaticFile(STATIC, path)
      if (file !== null) expect(file.startsWith(STATIC + sep), path).toBe(true)
    }
  })

  it('takes the raw path of app://console URLs only', () => {
    expect(appRequestPath('app://console/a/../b?x#y')).toBe('/a/../b')
    expect(appRequestPath('app://console')).toBeNull()
    expect(appRequestPath('app://consolex/')).toBeNull()
  })

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

  it('lets the passphrase page run no script and post only to itself', () => {
    expect(PASSPHRASE_PAGE_CSP).toContain("default-src 'none'")
    expect(PASSPHRASE_PAGE_CSP).toContain("form-action 'self'")
    expect(PASSPHRASE_PAGE_CSP).not.toContain('script-src')
  })
})

describe('window preferences', () => {
  it('are the hardened ones', () => {
    expect(WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      webSecurity: true,
    })
  })

  /** Every `new BrowserWindow({ webPreferences: { … } })` in main.ts, as key → literal text. */
  function windowsInMain(): Map<string, string>[] {
    const file = join(__dirname, '..', '..', 'electron', 'main.ts')
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022)
    const windows: Map<string, string>[] = []
    const visit = (node: ts.Node): void => {
      if (
        ts.isNewExpression(node) &&
        node.expression.getText(source) === 'BrowserWindow' &&
        node.arguments?.[0] &&
        ts.isObjectLiteralExpression(node.arguments[0])
      ) {
        const prefs = node.arguments[0].properties.find(
          (p) => p.name?.getText(source) === 'webPreferences',
        )
        const found = new Map<string, string>()
        if (prefs && ts.isPropertyAssignment(prefs)) {
          if (!ts.isObjectLiteralExpression(prefs.initializer)) {
            throw new Error('webPreferences must be an object literal')
          }
          for (const p of prefs.initializer.properties) {
            if (ts.isPropertyAssignment(p))
              found.set(p.name.getText(source), p.initializer.getText(source))
            else found.set(`<${ts.SyntaxKind[p.kind]}>`, p.getText(source))
          }
        }
        windows.push(found)
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
    return windows
  }

  it('are spelled out, every one of them, in each window main.ts opens', () => {
    const windows = windowsInMain()
    expect(windows.length).toBeGreaterThanOrEqual(2)
    for (const found of windows) {
      for (const [key, value] of Object.entries(WEB_PREFERENCES)) {
        expect(found.get(key), key).toBe(JSON.stringify(value).replaceAll('"', "'"))
      }
      // A spread could override what the literal says.
      expect([...found.keys()].filter((k) => k.startsWith('<'))).toEqual([])
    }
  })
})

describe('the passphrase page', () => {
  const prompt: PassphrasePrompt = {
    kind: 'create',
    nonce: 'n0nce-value-123',
    dataDir: '/home/u/.config/plgd-m2m-console',
  }
  const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString()

  it('is a form with no script, posting to itself', () => {
    const html = renderPassphrasePage(prompt)
    expect(html).toContain('<form method="post" action="vault-passphrase">')
    expect(html).toContain('name="nonce" value="n0nce-value-123"')
    expect(html).toContain('name="confirm"')
    expect(html).not.toMatch(/<script|on\w+=/i)
    expect(renderPassphrasePage({ ...prompt, kind: 'unlock' })).not.toContain('name="confirm"')
  })

  it('escapes what it shows', () => {
    const html = renderPassphrasePage({
      ...prompt,
      dataDir: '/tmp/<img src=x onerror=alert(1)>',
      error: '"><script>alert(1)</script>',
    })
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<script')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain('&quot;&gt;&lt;script&gt;')
  })

  it('takes a matching passphrase', () => {
    const body = form({
      nonce: prompt.nonce,
      passphrase: 'correct horse',
      confirm: 'correct horse',
    })
    expect(readPassphraseForm(body, prompt)).toEqual({
      action: 'submit',
      passphrase: 'correct horse',
    })
    expect(
      readPassphraseForm(form({ nonce: prompt.nonce, passphrase: 'correct horse' }), {
        ...prompt,
        kind: 'unlock',
      }),
    ).toEqual({ action: 'submit', passphrase: 'correct horse' })
  })

  it('asks again for a short or mistyped passphrase', () => {
    expect(
      readPassphraseForm(
        form({ nonce: prompt.nonce, passphrase: 'short', confirm: 'short' }),
        prompt,
      ).action,
    ).toBe('retry')
    expect(
      readPassphraseForm(
        form({ nonce: prompt.nonce, passphrase: 'correct horse', confirm: 'correct hose' }),
        prompt,
      ),
    ).toEqual({ action: 'retry', error: 'The two passphrases differ.' })
  })

  it('lets the user quit', () => {
    expect(readPassphraseForm(form({ nonce: prompt.nonce, action: 'cancel' }), prompt)).toEqual({
      action: 'cancel',
    })
  })

  it.each<Record<string, string>>([
    {},
    { nonce: '' },
    { nonce: 'n0nce-value-124' },
    { nonce: 'n0nce-value-123x' },
    { nonce: 'N0NCE-VALUE-123' },
  ])('rejects a post without this prompt’s nonce: %j', (fields) => {
    const body = form({ ...fields, passphrase: 'correct horse', confirm: 'correct horse' })
    expect(readPassphraseForm(body, prompt)).toEqual({ action: 'reject' })
  })

  it('lives on the app origin', () => {
    expect(isSameAppOrigin(`${APP_ORIGIN}/vault-passphrase`)).toBe(true)
  })
})
