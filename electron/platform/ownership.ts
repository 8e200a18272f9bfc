import { lstatSync, statSync, type Stats } from 'node:fs'
import { AppError } from '../../shared/errors.js'

/**
 * Who may own what this program keeps: the data directory and the control socket belong to the
 * user running it, and nobody else may write the directory. Another local user who can write it
 * could otherwise replace settings.json or answer on the control socket in this process's place
 * (and so receive what `keys import` sends). Windows has no POSIX owner or mode: its folders
 * under %APPDATA% are the user's by ACL, and the control socket is a named pipe.
 */

export interface OwnerCheckOptions {
  /** The uid expected to own the files; the current process's by default (tests change it). */
  uid?: number | undefined
}

const GROUP_OR_WORLD_WRITE = 0o022

function currentUid(options: OwnerCheckOptions): number | undefined {
  return options.uid ?? process.getuid?.()
}

function describe(stats: Stats): string {
  return `owner uid ${stats.uid}, mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')}`
}

/**
 * Refuses a directory that another user owns or that group or others may write. `symlinks`
 * false also refuses a symbolic link in place of the directory (a shared folder like /tmp).
 */
export function checkPrivateDir(
  path: string,
  what: string,
  options: OwnerCheckOptions & { symlinks?: boolean } = {},
): void {
  const uid = currentUid(options)
  if (uid === undefined) return
  const stats = options.symlinks === false ? lstatSync(path) : statSync(path)
  if (stats.isSymbolicLink()) {
    throw new AppError(
      'conflict',
      `${what} ${path} is a symbolic link, which another user may have planted: remove it`,
    )
  }
  if (!stats.isDirectory()) {
    throw new AppError('conflict', `${what} ${path} is not a directory`)
  }
  if (stats.uid !== uid) {
    throw new AppError(
      'conflict',
      `${what} ${path} belongs to another user (${describe(stats)}; you are uid ${uid}): ` +
        'use a data directory of your own (--data-dir or PLGD_M2M_DATA_DIR)',
    )
  }
  if ((stats.mode & GROUP_OR_WORLD_WRITE) !== 0) {
    throw new AppError(
      'conflict',
      `${what} ${path} may be written by other users (${describe(stats)}): ` +
        `run \`chmod 700 ${path}\`, or use a data directory of your own (--data-dir)`,
    )
  }
}

/**
 * Before a CLI sends anything on the control socket: the socket file must be a socket (not a
 * symbolic link), owned by this user, in a directory only this user can write (so nobody can
 * swap it between this check and the connection). Node's net module does not expose the peer's
 * credentials (SO_PEERCRED), so the file's owner stands in for the peer's. False when there is
 * no socket (no running instance).
 */
export function checkOwnSocket(
  path: string,
  dir: string,
  options: OwnerCheckOptions = {},
): boolean {
  const uid = currentUid(options)
  if (uid === undefined) return true
  checkPrivateDir(dir, 'the control socket directory', { ...options, symlinks: false })
  let stats: Stats
  try {
    stats = lstatSync(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
  if (!stats.isSocket()) {
    throw new AppError(
      'conflict',
      `the control socket ${path} is not a socket (${stats.isSymbolicLink() ? 'a symbolic link' : 'another file'}): ` +
        'nothing was sent; stop every plgd-m2m-console on this data directory and remove it',
    )
  }
  if (stats.uid !== uid) {
    throw new AppError(
      'conflict',
      `the control socket ${path} belongs to another user (${describe(stats)}; you are uid ${uid}): ` +
        'nothing was sent to it; use a data directory of your own (--data-dir)',
    )
  }
  return true
}
