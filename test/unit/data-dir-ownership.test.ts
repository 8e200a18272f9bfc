// @vitest-environment node
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ensureDataDir } from '../../electron/platform/paths.js'
import { toErrorShape } from '../../shared/errors.js'

/**
 * Issue 16 item 2: a data directory is the user's alone. One that exists but belongs to another
 * user, or that others may write, is refused with the path, what was found and the fix.
 */

const posix = process.platform !== 'win32'
let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'plgd-m2m-ownership-'))
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

const refusal = (fn: () => unknown): { code: string; message: string } => {
  try {
    fn()
  } catch (err) {
    return toErrorShape(err)
  }
  throw new Error('expected a refusal')
}

describe.runIf(posix)('ensureDataDir', () => {
  it('creates a fresh directory (and its missing parents) owner-only', () => {
    const dir = join(root, 'a', 'b')
    expect(ensureDataDir(dir)).toBe(dir)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(join(root, 'a')).mode & 0o077).toBe(0)
  })

  it('accepts an existing directory of the user that only the user writes', () => {
    chmodSync(root, 0o755)
    expect(ensureDataDir(root)).toBe(root)
  })

  it.each([0o770, 0o777, 0o702])('refuses a directory with mode %o, naming the fix', (mode) => {
    chmodSync(root, mode)
    const shape = refusal(() => ensureDataDir(root))
    expect(shape.code).toBe('conflict')
    expect(shape.message).toContain(root)
    expect(shape.message).toContain(`mode 0${mode.toString(8)}`)
    expect(shape.message).toContain(`chmod 700 ${root}`)
  })

  it('refuses a directory another user owns, naming its owner', () => {
    const me = process.getuid!()
    const shape = refusal(() => ensureDataDir(root, { uid: me + 1 }))
    expect(shape.code).toBe('conflict')
    expect(shape.message).toContain(`belongs to another user (owner uid ${me}`)
    expect(shape.message).toContain('--data-dir')
  })

  it('refuses a symbolic link to a directory others may write', () => {
    const target = join(root, 'shared')
    ensureDataDir(target)
    chmodSync(target, 0o777)
    const link = join(root, 'link')
    symlinkSync(target, link)
    expect(refusal(() => ensureDataDir(link)).message).toContain('may be written by other users')
    expect(existsSync(link)).toBe(true)
  })
})
