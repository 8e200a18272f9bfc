// @vitest-environment node
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MenuItemConstructorOptions } from 'electron'
import { afterAll, describe, expect, it } from 'vitest'
import type { AboutView } from '../../shared/contract/index.js'
import { aboutView, implementAbout, installedManifest } from '../../electron/api/methods/about.js'
import type { MethodContext } from '../../electron/api/methods/method-table.js'
import { aboutBeforeOpen, aboutDialogText } from '../../electron/desktop/about-dialog.js'
import type { ElectronMain } from '../../electron/desktop/electron-main.js'
import { buildMenu } from '../../electron/desktop/menu.js'
import { runCommandLine } from '../../electron/headless/cli.js'

/** About from the method, the CLI (`about`, `--version`) and the desktop menu, with fakes. */

const ROOT = join(__dirname, '..', '..')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string
  license: string
}
const scratch = mkdtempSync(join(tmpdir(), 'plgd-about-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const desktop: AboutView = {
  productName: 'plgd M2M Console',
  version: '1.2.3',
  electron: '45.5.0',
  chromium: '142.0.7444.59',
  node: '22.20.0',
  dataDir: '/data',
  vault: { mode: 'passphrase' },
  license: 'Apache-2.0',
}

describe('aboutView', () => {
  it("reads Electron's and Chromium's versions from process.versions", () => {
    const view = aboutView({
      dataDir: '/data',
      vaultMode: 'passphrase',
      manifest: { version: '1.2.3', license: 'Apache-2.0' },
      versions: { node: '22.20.0', electron: '45.5.0', chrome: '142.0.7444.59' },
    })
    expect(view).toEqual(desktop)
  })

  it('has null runtimes headless (plain Node has no electron or chrome version)', () => {
    const view = aboutView({
      dataDir: '/data',
      vaultMode: 'keychain',
      manifest: installedManifest(),
      versions: process.versions,
    })
    expect(view).toMatchObject({ electron: null, chromium: null, node: process.versions.node })
    expect(view.version).toBe(pkg.version)
    expect(view.license).toBe(pkg.license)
    expect(pkg.license).toBe('Apache-2.0')
  })
})

describe('about.get', () => {
  it("answers the running app's data directory and vault mode", async () => {
    const ctx = {
      app: { dataDir: '/srv/station', vault: { mode: 'passphrase' } },
      actor: 'cli',
      audit: () => undefined,
    } as unknown as MethodContext
    const about = await implementAbout(ctx)['about.get']({})
    expect(about).toMatchObject({
      dataDir: '/srv/station',
      vault: { mode: 'passphrase' },
      version: pkg.version,
      license: 'Apache-2.0',
      electron: null,
    })
  })
})

async function cli(argv: string[], reply: unknown) {
  let out = ''
  let err = ''
  const calls: string[] = []
  const code = await runCommandLine([...argv, '--data-dir', scratch], {
    io: { out: (t) => void (out += t), err: (t) => void (err += t) },
    operation: (_globals, method) => {
      calls.push(method)
      return Promise.resolve(reply)
    },
  })
  return { code, out, err, calls }
}

describe('the CLI', () => {
  it('--version prints the package version and exits 0 without opening the app', async () => {
    const { code, out, calls } = await cli(['--version'], undefined)
    expect(code).toBe(0)
    expect(out).toBe(`${pkg.version}\n`)
    expect(calls).toEqual([])
  })

  it('about prints one fact a line; --json prints about.get as it is', async () => {
    const human = await cli(['about'], desktop)
    expect(human.code).toBe(0)
    expect(human.calls).toEqual(['about.get'])
    expect(human.out).toContain('plgd M2M Console 1.2.3\n')
    expect(human.out).toMatch(/electron\s+45\.5\.0\n/)
    expect(human.out).toMatch(/data directory\s+\/data\n/)
    expect(human.out).toMatch(/vault\s+passphrase\n/)
    expect(human.out).toMatch(/licence\s+Apache-2\.0\n/)

    const headless = await cli(['about'], { ...desktop, electron: null, chromium: null })
    expect(headless.out).toMatch(/electron\s+none \(headless\)\n/)

    const json = await cli(['about', '--json'], desktop)
    expect(JSON.parse(json.out)).toEqual(desktop)
  })
})

interface FakeMenu {
  template: MenuItemConstructorOptions[]
}

function fakeElectron(userData = '/home/tech/.config/plgd-m2m-console') {
  const boxes: { title?: string; message: string; detail?: string }[] = []
  const electron = {
    Menu: { buildFromTemplate: (template: MenuItemConstructorOptions[]) => ({ template }) },
    app: { isPackaged: true, getPath: (name: string) => (name === 'userData' ? userData : '') },
    shell: { openExternal: () => Promise.resolve() },
    dialog: {
      showMessageBox: (options: { title?: string; message: string; detail?: string }) => {
        boxes.push(options)
        return Promise.resolve({ response: 0, checkboxChecked: false })
      },
    },
  } as unknown as Pick<ElectronMain, 'Menu' | 'app' | 'shell' | 'dialog'>
  return { electron, boxes }
}

function findAbout(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions | undefined {
  for (const item of items) {
    if (item.label?.startsWith('About')) return item
    if (Array.isArray(item.submenu)) {
      const found = findAbout(item.submenu)
      if (found) return found
    }
  }
  return undefined
}

async function clickAbout(menu: FakeMenu, boxes: unknown[]): Promise<void> {
  const about = findAbout(menu.template)
  expect(about, 'the menu has an About item').toBeDefined()
  ;(about!.click as () => void)()
  await expect.poll(() => boxes.length).toBe(1)
}

describe('the desktop menu', () => {
  it("About shows the running app's about.get in a native dialog", async () => {
    const { electron, boxes } = fakeElectron()
    const menu = buildMenu(electron, {
      about: () => Promise.resolve(desktop),
    }) as unknown as FakeMenu
    await clickAbout(menu, boxes)
    expect(boxes[0]!.title).toBe('About plgd M2M Console')
    expect(boxes[0]!.message).toBe('plgd M2M Console 1.2.3')
    expect(boxes[0]!.detail).toBe(aboutDialogText(desktop).detail)
    expect(boxes[0]!.detail).toContain('Chromium: 142.0.7444.59')
    expect(boxes[0]!.detail).toContain('Vault: passphrase')
    expect(boxes[0]!.detail).toContain('Licence: Apache-2.0')
  })

  it('before the data directory is open, shows what main knows and says the vault is not open', async () => {
    const { electron, boxes } = fakeElectron('/home/tech/.config/plgd-m2m-console')
    const menu = buildMenu(electron, {
      about: () => Promise.resolve(undefined),
    }) as unknown as FakeMenu
    await clickAbout(menu, boxes)
    expect(boxes[0]!.message).toBe(`plgd M2M Console ${pkg.version}`)
    expect(boxes[0]!.detail).toContain('Vault: not open yet')
    expect(boxes[0]!.detail).toContain(
      `Data directory: ${process.env.PLGD_M2M_DATA_DIR || '/home/tech/.config/plgd-m2m-console'}`,
    )
  })

  it('names the data directory $PLGD_M2M_DATA_DIR sets, as the desktop app opens it', () => {
    const { electron } = fakeElectron('/userdata')
    const facts = aboutBeforeOpen(electron.app, { PLGD_M2M_DATA_DIR: '/srv/console' })
    expect(facts.dataDir).toBe('/srv/console')
    expect(aboutBeforeOpen(electron.app, {}).dataDir).toBe('/userdata')
  })
})
