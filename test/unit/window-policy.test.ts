// @vitest-environment node
import { readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import {
  WEB_PREFERENCES,
  appRequestPath,
  isSameAppOrigin,
  toAllowedExternalUrl,
} from '../../electron/desktop/window-policy.js'
import { resolveStaticFile } from '../../electron/api/console-assets.js'

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
    expect(toAllowedExternalUrl(url) !== null).toBe(true)
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
    expect(toAllowedExternalUrl(url) !== null).toBe(false)
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

/** What the desktop's app:// handler serves for a URL: the two real steps it takes. */
function resolveAppFile(staticDir: string, requestUrl: string): string | null {
  const rawPath = appRequestPath(requestUrl)
  return rawPath === null ? null : resolveStaticFile(staticDir, rawPath)
}

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

  /**
   * Every `new BrowserWindow({ webPreferences: { … } })` in the main-process sources (the desktop
   * modules open them), as key → literal text.
   */
  function windowsInSources(): Map<string, string>[] {
    const windows: Map<string, string>[] = []
    for (const file of sourceFiles(join(__dirname, '..', '..', 'electron'))) {
      windows.push(...windowsIn(file))
    }
    return windows
  }

  function sourceFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? sourceFiles(join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [join(dir, entry.name)]
          : [],
    )
  }

  function windowsIn(file: string): Map<string, string>[] {
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

  it('are spelled out, every one of them, in each window the app opens', () => {
    // The console window and the passphrase prompt.
    const windows = windowsInSources()
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
