import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'

/**
 * The console UI's files (the renderer build) and the headers every one of them is served with,
 * for both front ends: the desktop window's app:// handler and the headless bridge over loopback
 * HTTP. Plain Node, no electron.
 */

/** CSP of every console page, in the window (app://) and in a browser (headless bridge). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ')

/** Headers on every response of the app:// handler and of the headless bridge. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
})

/**
 * Resolves a request path (as sent, percent-encoded) to a file inside staticDir, or null when it
 * could point anywhere else: `..` or `.` segments (also as %2e), dotfiles, empty segments (`//`),
 * backslashes, drive letters or other colons, NUL and control characters, malformed escapes.
 * Every segment is checked after decoding, so `%2f` cannot smuggle a separator past the check.
 * `/` is index.html. Decoding happens once: `%252e` stays a literal name.
 */
export function resolveStaticFile(staticDir: string, rawPath: string): string | null {
  if (!rawPath.startsWith('/')) return null
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    return null
  }
  const root = resolve(staticDir)
  if (decoded === '/') return join(root, 'index.html')
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\\:\u0000-\u001f\u007f]/.test(decoded)) return null
  const segments = decoded.slice(1).split('/')
  if (segments.some((s) => s === '' || s.startsWith('.'))) return null
  const file = resolve(root, ...segments)
  return file.startsWith(root + sep) ? file : null
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
}

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

export interface StaticAsset {
  file: string
  body: Buffer
  contentType: string
  /** index.html is never cached (a new build must show at once); hashed assets revalidate. */
  cacheControl: string
}

/**
 * Loads the file a request path names, for both front ends. Paths resolveStaticFile refuses are
 * not found; a path without an extension that names no file is the single-page app's route and
 * gets index.html; the real path must still lie inside the real staticDir (no symlink escapes).
 */
export async function loadStaticAsset(
  staticDir: string,
  rawPath: string,
): Promise<StaticAsset | null> {
  const file = resolveStaticFile(staticDir, rawPath)
  if (file === null) return null
  const found = await readInside(staticDir, file)
  if (found || extname(file) !== '') return found
  return readInside(staticDir, join(resolve(staticDir), 'index.html'))
}

async function readInside(staticDir: string, file: string): Promise<StaticAsset | null> {
  try {
    const [root, real] = await Promise.all([realpath(staticDir), realpath(file)])
    if (!real.startsWith(root + sep)) return null
    if (!(await stat(real)).isFile()) return null
    const isIndex = real === join(root, 'index.html')
    return {
      file: real,
      body: await readFile(real),
      contentType: contentTypeFor(real),
      cacheControl: isIndex ? 'no-store' : 'no-cache',
    }
  } catch {
    return null
  }
}
