import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { AppError } from '../../shared/errors.js'

/** A file an export, a graduation or a backup writes on the command line. */
export interface FileToWrite {
  /** Absolute, or relative to the working directory. */
  path: string
  content: string | Uint8Array
  /** Holds a client secret, a private key or a backup: written 0600 (the whole export is, by default). */
  secret?: boolean
  /** Public material (a bundle's JWKS): 0644, for a web server to read. */
  public?: boolean
}

/**
 * Writes every file whole or none: each goes to a temporary file beside its target first, and
 * only when all are written are they renamed into place. An existing file is never replaced
 * without `force`. Files are 0600 unless marked public; new directories 0700.
 */
export function writeExportFiles(
  files: readonly FileToWrite[],
  options: { force: boolean },
): string[] {
  const targets = files.map((f) => resolve(f.path))
  if (!options.force) {
    const existing = targets.filter((t) => existsSync(t))
    if (existing.length > 0) {
      throw new AppError(
        'already_exists',
        `${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}: ` +
          'choose another --out, or add --force to replace',
      )
    }
  }
  const written: string[] = []
  try {
    files.forEach((file, i) => {
      const target = targets[i] as string
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 })
      const temp = join(dirname(target), `.${randomBytes(6).toString('hex')}.partial`)
      writeFileSync(temp, file.content, { mode: file.public ? 0o644 : 0o600, flag: 'wx' })
      written.push(temp)
    })
  } catch (cause) {
    for (const temp of written) rmSync(temp, { force: true })
    throw new AppError('invalid_input', `cannot write the export: ${(cause as Error).message}`, {
      cause,
    })
  }
  written.forEach((temp, i) => renameSync(temp, targets[i] as string))
  return targets
}
