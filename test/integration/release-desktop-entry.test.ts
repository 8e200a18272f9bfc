// @vitest-environment node
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * The Linux desktop entry the deb and the AppImage install, as electron-builder's own
 * LinuxTargetHelper computes it from electron-builder.yml and package.json (the installers
 * cannot be built offline), checked by desktop-file-validate (Debian's desktop-file-utils).
 */

interface LinuxOptions {
  executableName?: string
  category?: string
  description?: string
  executableArgs?: string[] | null
  desktop?: { entry?: Record<string, string> }
  depends?: string[]
  maintainer?: string
}
interface Config {
  productName: string
  linux: LinuxOptions
  deb: LinuxOptions
  appImage: LinuxOptions
}
interface Helper {
  computeDesktopEntry(
    options: LinuxOptions,
    exec?: string,
    extra?: Record<string, string>,
  ): Promise<string> | string
}

const requireFromHere = createRequire(__filename)
const ROOT = join(__dirname, '..', '..')
const { getConfig } = requireFromHere('app-builder-lib/out/util/config/config') as {
  getConfig(dir: string, file: string, options: null): Promise<Config>
}
const { LinuxTargetHelper } = requireFromHere('app-builder-lib/out/targets/LinuxTargetHelper') as {
  LinuxTargetHelper: new (packager: unknown) => Helper
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string
  description: string
  desktopName: string
}

const work = mkdtempSync(join(tmpdir(), 'plgd-desktop-entry-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

let config: Config
let helper: Helper
beforeAll(async () => {
  config = await getConfig(ROOT, 'electron-builder.yml', null)
  // The part of electron-builder's LinuxPackager that computeDesktopEntry reads.
  helper = new LinuxTargetHelper({
    appInfo: { productName: config.productName, sanitizedProductName: config.productName },
    executableName: config.linux.executableName,
    info: { metadata: manifest },
    platformSpecificBuildOptions: config.linux,
    fileAssociations: [],
    config,
  })
})

async function entryFor(target: 'deb' | 'appImage'): Promise<string> {
  const options = { ...config.linux, ...config[target] }
  if (target === 'deb') return helper.computeDesktopEntry(options)
  // As electron-builder's AppImageTarget calls it.
  const exec = ['AppRun', ...(options.executableArgs ?? ['--no-sandbox']), '%U'].join(' ')
  return helper.computeDesktopEntry(options, exec, { 'X-AppImage-Version': manifest.version })
}

function fields(entry: string): Record<string, string> {
  return Object.fromEntries(
    entry
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  )
}

async function validate(entry: string, name: string): Promise<{ ok: boolean; output: string }> {
  const file = join(work, name)
  writeFileSync(file, entry)
  try {
    const { stdout, stderr } = await promisify(execFile)('desktop-file-validate', [file])
    return { ok: true, output: stdout + stderr }
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string }
    if (e.code === 'ENOENT')
      throw new Error(
        'desktop-file-validate is not installed: run scripts/install-test-deps (Debian package desktop-file-utils)',
      )
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}

describe('the Linux desktop entry', () => {
  it('passes desktop-file-validate, for the deb and for the AppImage', async () => {
    for (const target of ['deb', 'appImage'] as const) {
      const result = await validate(await entryFor(target), `plgd-m2m-console-${target}.desktop`)
      expect(result.output, `${target}: desktop-file-validate`).toBe('')
      expect(result.ok).toBe(true)
    }
  })

  it('is refused by desktop-file-validate when broken (the check can fail)', async () => {
    const broken = (await entryFor('deb')).replace(/^Type=.*$/m, 'Type=Program')
    const result = await validate(broken, 'broken.desktop')
    expect(result.ok).toBe(false)
    expect(result.output).toMatch(/Type/)
  })

  it('names, describes and files the app, and ties its windows to the entry', async () => {
    const entry = fields(await entryFor('deb'))
    expect(entry).toMatchObject({
      Name: 'plgd M2M Console',
      Type: 'Application',
      Icon: 'plgd-m2m-console',
      Categories: 'Network;',
      // Electron's WM_CLASS is package.json's desktopName.
      StartupWMClass: manifest.desktopName.replace(/\.desktop$/, ''),
    })
    expect(entry.Comment).toBe(config.linux.description)
    expect(entry.Keywords?.split(';')).toEqual(
      expect.arrayContaining(['plgd', 'IoT', 'OAuth', 'DPS']),
    )
    expect(entry.Exec).toMatch(/plgd-m2m-console" %U$/)
  })

  it("keeps Chromium's sandbox in the AppImage (no --no-sandbox) and stamps its version", async () => {
    const entry = fields(await entryFor('appImage'))
    expect(entry.Exec).toBe('AppRun %U')
    expect(entry['X-AppImage-Version']).toBe(manifest.version)
  })

  it('makes the deb depend on libsecret, which keytar needs for the keychain', () => {
    expect(config.deb.depends).toContain('libsecret-1-0')
  })
})
