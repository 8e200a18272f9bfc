import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { checkPrivateDir, type OwnerCheckOptions } from './ownership.js'

/** Where a user's data lives when no --data-dir is given (Electron's userData agrees). */
export function defaultDataDir(): string {
  if (process.env.PLGD_M2M_DATA_DIR) return resolve(process.env.PLGD_M2M_DATA_DIR)
  const home = homedir()
  if (process.platform === 'win32')
    return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'plgd-m2m-console')
  if (process.platform === 'darwin')
    return join(home, 'Library', 'Application Support', 'plgd-m2m-console')
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'plgd-m2m-console')
}

/**
 * Creates the data directory readable by the user alone, or refuses one that exists but belongs
 * to another user or may be written by others (they could replace its settings or its socket).
 */
export function ensureDataDir(dataDir: string, options: OwnerCheckOptions = {}): string {
  const dir = resolve(dataDir)
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 })
  checkPrivateDir(dir, 'the data directory', options)
  return dir
}

/**
 * The control socket of a data directory: a named pipe on Windows, else a Unix socket inside
 * the (user-only) data directory, or a user-only temp folder when that path is too long for a
 * socket address.
 */
export function controlSocketPath(dataDir: string): string {
  const id = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16)
  if (process.platform === 'win32') return `\\\\.\\pipe\\plgd-m2m-console-${id}`
  const inside = join(resolve(dataDir), 'control.sock')
  if (Buffer.byteLength(inside) < 100) return inside
  const dir = join(tmpdir(), `plgd-m2m-console-${process.getuid?.() ?? 'user'}-${id}`)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  // A shared temp folder: another user may have created this name first, or linked it.
  checkPrivateDir(dir, 'the control socket directory', { symlinks: false })
  return join(dir, 'control.sock')
}

export const CA_CERT_FILE = 'ca.pem'

/** The console CA that hubs and services trust (ca.pem); null before the issuer first started. */
export function readConsoleCaPem(dataDir: string): string | null {
  try {
    return readFileSync(join(dataDir, CA_CERT_FILE), 'utf8')
  } catch {
    return null
  }
}
