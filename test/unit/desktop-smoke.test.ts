// @vitest-environment node
import { EventEmitter } from 'node:events'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Envelope } from '../../shared/contract/index.js'
import { METHOD_NAMES } from '../../shared/method-names.js'
import { AppError } from '../../shared/errors.js'
import { ControlSocket } from '../../electron/api/control-socket.js'
import { ipcChannel } from '../../electron/api/ipc-transport.js'
import type { ElectronMain } from '../../electron/desktop/electron-main.js'
import { PASSPHRASE_PAGE_URL } from '../../electron/desktop/passphrase-page.js'
import { startDesktop, type DesktopPlatform } from '../../electron/desktop/start-desktop.js'
import { APP_ORIGIN, WEB_PREFERENCES } from '../../electron/desktop/window-policy.js'
import { controlSocketPath } from '../../electron/platform/paths.js'
import { SETTINGS_DEFAULTS, openHeadlessSettings } from '../../electron/app-settings.js'
import { FakeKeychain, recordingLogger, type KeychainMode } from '../helpers/fakes.js'

/**
 * The desktop entry (startDesktop, what electron/main.ts runs with the real module) against a
 * stand-in of Electron's main-process API, in plain Node: no Electron binary runs here. The
 * stand-in records what the app asks of Electron, in order, and plays the user (the keychain
 * dialog, the passphrase form, Quit). Data goes to a temporary directory; the keychain is a fake.
 */

const PASSPHRASE = 'correct horse battery'

type Handler = (request: Request) => Promise<Response>
type InvokeListener = (event: unknown, input: unknown) => Promise<Envelope<unknown>>

/** A stand-in of the Electron API, recording every call that matters in `log`. */
class FakeElectron {
  readonly log: string[] = []
  lockGranted = true
  /** The button the keychain dialog's user presses (0: use a passphrase, 1: quit). */
  dialogAnswer = 0
  /** The application menu's template, as Menu.setApplicationMenu got it. */
  menu: MenuItem[] = []
  readonly messageBoxes: { message?: string; detail?: string }[] = []
  readonly errorBoxes: string[] = []
  readonly schemes: { scheme: string; privileges?: Record<string, boolean> }[] = []
  readonly ipcHandlers = new Map<string, InvokeListener>()
  readonly ipcRegistrations: string[] = []
  readonly windows: FakeWindow[] = []
  readonly trays: FakeTray[] = []
  readonly opened: string[] = []
  readonly sessions = new Map<string, FakeSession>()
  exitCode: number | undefined
  readonly quitted: Promise<void>
  #quit!: () => void

  constructor() {
    this.quitted = new Promise((resolve) => (this.#quit = resolve))
  }

  readonly electron = ((fake: FakeElectron) => {
    const app = Object.assign(new EventEmitter(), {
      isPackaged: false,
      requestSingleInstanceLock: () => {
        fake.log.push('app.requestSingleInstanceLock')
        return fake.lockGranted
      },
      enableSandbox: () => fake.log.push('app.enableSandbox'),
      whenReady: () => {
        fake.log.push('app.whenReady')
        return Promise.resolve()
      },
      quit: () => {
        fake.log.push('app.quit')
        let prevented = false
        app.emit('before-quit', { preventDefault: () => (prevented = true) })
        if (!prevented) fake.#quit()
      },
      exit: (code: number) => {
        fake.log.push(`app.exit ${code}`)
        fake.exitCode = code
        fake.#quit()
      },
    })
    class BrowserWindow extends FakeWindow {
      constructor(options: WindowOptions) {
        super(fake, options)
        fake.windows.push(this)
        app.emit('web-contents-created', {}, this.webContents)
      }
    }
    class Tray extends FakeTray {
      constructor() {
        super()
        fake.log.push('new Tray')
        fake.trays.push(this)
      }
    }
    const session = {
      defaultSession: fake.session('default'),
      fromPartition: (partition: string) => fake.session(partition),
    }
    return {
      app,
      BrowserWindow,
      Tray,
      session,
      protocol: {
        registerSchemesAsPrivileged: (schemes: FakeElectron['schemes']) => {
          fake.log.push('protocol.registerSchemesAsPrivileged')
          fake.schemes.push(...schemes)
        },
      },
      ipcMain: {
        handle: (channel: string, listener: InvokeListener) => {
          if (!fake.ipcRegistrations.length) fake.log.push('ipcMain.handle')
          fake.ipcRegistrations.push(channel)
          fake.ipcHandlers.set(channel, listener)
        },
      },
      Menu: {
        setApplicationMenu: (menu: { template: MenuItem[] }) => {
          fake.log.push('Menu.setApplicationMenu')
          fake.menu = menu.template
        },
        buildFromTemplate: (template: unknown[]) => ({ template }),
      },
      dialog: {
        showMessageBox: async (options: { message?: string }) => {
          fake.log.push('dialog.showMessageBox')
          fake.messageBoxes.push(options)
          return { response: fake.dialogAnswer, checkboxChecked: false }
        },
        showErrorBox: (_title: string, message: string) => {
          fake.log.push('dialog.showErrorBox')
          fake.errorBoxes.push(message)
        },
      },
      nativeImage: { createFromBitmap: (_bitmap: Buffer, size: unknown) => ({ size }) },
      shell: {
        openExternal: async (url: string) => {
          fake.opened.push(url)
        },
      },
    } as unknown as ElectronMain
  })(this)

  session(name: string): FakeSession {
    let found = this.sessions.get(name)
    if (!found) {
      found = new FakeSession(name, this.log)
      this.sessions.set(name, found)
    }
    return found
  }

  /** Plays the user at the passphrase prompt: reads the page, posts the form with its nonce. */
  async answerPrompt(): Promise<void> {
    const handler = this.sessions.get('vault-prompt')?.handlers.get('app')
    if (!handler) throw new Error('no app:// handler on the prompt session')
    const page = await (await handler(new Request(PASSPHRASE_PAGE_URL))).text()
    const nonce = /name="nonce" value="([^"]+)"/.exec(page)?.[1]
    if (!nonce) throw new Error(`no nonce in the prompt page: ${page}`)
    const body = new URLSearchParams({ nonce, passphrase: PASSPHRASE, confirm: PASSPHRASE })
    const reply = await handler(
      new Request(PASSPHRASE_PAGE_URL, { method: 'POST', body: body.toString() }),
    )
    if (reply.status !== 200) throw new Error(`the prompt refused the form: ${reply.status}`)
  }
}

interface WindowOptions {
  webPreferences?: Record<string, unknown>
}

class FakeSession {
  readonly handlers = new Map<string, Handler>()
  permissionRequest: unknown
  readonly protocol: { handle(scheme: string, handler: Handler): void }

  constructor(
    readonly name: string,
    log: string[],
  ) {
    this.protocol = {
      handle: (scheme, handler) => {
        log.push(`${name}.protocol.handle ${scheme}`)
        this.handlers.set(scheme, handler)
      },
    }
  }

  setPermissionRequestHandler(handler: unknown): void {
    this.permissionRequest = handler
  }
  setPermissionCheckHandler(): void {}
  setDevicePermissionHandler(): void {}
}

class FakeWebContents extends EventEmitter {
  readonly sent: [string, unknown][] = []
  readonly mainFrame = { url: '' }
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler
  }
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload])
  }
}

class FakeWindow extends EventEmitter {
  readonly webContents = new FakeWebContents()
  readonly options: WindowOptions
  url = ''
  #destroyed = false

  constructor(
    readonly fake: FakeElectron,
    options: WindowOptions,
  ) {
    super()
    this.options = options
    fake.log.push(`new BrowserWindow ${String(options.webPreferences?.partition ?? 'default')}`)
  }

  loadURL(url: string): Promise<void> {
    this.fake.log.push(`loadURL ${url}`)
    this.url = url
    this.webContents.mainFrame.url = url
    // The user at the passphrase prompt answers once the page is up.
    if (url === PASSPHRASE_PAGE_URL) setImmediate(() => void this.fake.answerPrompt())
    return Promise.resolve()
  }
  removeMenu(): void {}
  focus(): void {}
  show(): void {}
  restore(): void {}
  isMinimized(): boolean {
    return false
  }
  isDestroyed(): boolean {
    return this.#destroyed
  }
  destroy(): void {
    if (this.#destroyed) return
    this.#destroyed = true
    this.emit('closed')
  }
}

class FakeTray {
  tooltip = ''
  destroyed = false
  setToolTip(text: string): void {
    this.tooltip = text
  }
  setContextMenu(): void {}
  destroy(): void {
    this.destroyed = true
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
}

let dataDir: string
let fake: FakeElectron
let platformCalls: string[]

function platform(keychainMode: KeychainMode): DesktopPlatform {
  return {
    pinUserDataDir: () => fake.log.push('platform.pinUserDataDir'),
    dataDir: () => {
      platformCalls.push('dataDir')
      return dataDir
    },
    // conf writes the same settings.json electron-store does, without loading electron.
    openSettings: openHeadlessSettings,
    keychain: () => new FakeKeychain(keychainMode),
    log: recordingLogger(),
  }
}

beforeEach(() => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'plgd-m2m-desktop-')), 'data')
  fake = new FakeElectron()
  platformCalls = []
})

afterEach(async () => {
  if (fake.log.includes('app.whenReady') && !fake.log.includes('app.quit')) {
    fake.electron.app.quit()
    await fake.quitted
  }
  rmSync(join(dataDir, '..'), { recursive: true, force: true })
})

/** A first run: listens on a free loopback port, so tests never collide on the default one. */
function prepareDataDir(): void {
  openHeadlessSettings(dataDir).set('issuer', {
    ...SETTINGS_DEFAULTS.issuer,
    listenHost: '127.0.0.1',
    port: 0,
  })
}

function portOpen(listen: string): Promise<boolean> {
  const [, host, port] = /^(.*):(\d+)$/.exec(listen)!
  return new Promise((resolve) => {
    const socket = connect(Number(port), host!)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

async function lockIsFree(): Promise<boolean> {
  try {
    await (await ControlSocket.acquire(controlSocketPath(dataDir))).close()
    return true
  } catch (err) {
    if (err instanceof AppError && err.code === 'data_dir_locked') return false
    throw err
  }
}

const before = (first: string, second: string): void => {
  const a = fake.log.indexOf(first)
  const b = fake.log.indexOf(second)
  expect(a, `${first} in ${fake.log.join(', ')}`).toBeGreaterThanOrEqual(0)
  expect(b, `${second} in ${fake.log.join(', ')}`).toBeGreaterThanOrEqual(0)
  expect(a, `${first} before ${second}`).toBeLessThan(b)
}

interface MenuItem {
  label?: string
  click?: () => void
  submenu?: MenuItem[]
}

function findMenuItem(items: MenuItem[], label: RegExp): MenuItem {
  for (const item of items) {
    if (item.label && label.test(item.label)) return item
    const inner = item.submenu ? findMenuItem(item.submenu, label) : undefined
    if (inner?.label) return inner
  }
  return {}
}

function invoke(method: string, input: unknown, url = `${APP_ORIGIN}/`) {
  const listener = fake.ipcHandlers.get(ipcChannel(method))
  if (!listener) throw new Error(`no handler for ${method}`)
  const frame = { url }
  return listener({ senderFrame: frame, sender: { mainFrame: frame } }, input)
}

describe('the desktop entry', () => {
  it(
    'without a keychain, offers a passphrase vault, opens the console, and quits cleanly',
    { timeout: 60_000 },
    async () => {
      prepareDataDir()
      const proc = new EventEmitter()
      await startDesktop(fake.electron, platform('unreachable'), proc)
      expect(fake.errorBoxes).toEqual([])

      // The single-instance lock comes first (after pinning userData, where Electron keeps it).
      expect(fake.log.slice(0, 2)).toEqual([
        'platform.pinUserDataDir',
        'app.requestSingleInstanceLock',
      ])
      // app:// is privileged before `ready`, and handled before any window loads.
      expect(fake.schemes).toEqual([
        { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
      ])
      before('protocol.registerSchemesAsPrivileged', 'app.whenReady')
      before('default.protocol.handle app', `loadURL ${APP_ORIGIN}/`)
      before('vault-prompt.protocol.handle app', `loadURL ${PASSPHRASE_PAGE_URL}`)
      before('ipcMain.handle', 'new BrowserWindow vault-prompt')

      // Every contract method has exactly one handler.
      expect([...fake.ipcRegistrations].sort()).toEqual(METHOD_NAMES.map(ipcChannel).sort())
      expect(new Set(fake.ipcRegistrations).size).toBe(fake.ipcRegistrations.length)

      // The keychain is missing: the user is told and offered a passphrase vault, then prompted.
      expect(fake.messageBoxes).toMatchObject([{ message: 'The OS keychain is not available' }])
      before('dialog.showMessageBox', 'new BrowserWindow vault-prompt')
      expect(openHeadlessSettings(dataDir).get('vault')?.mode).toBe('passphrase')

      // Two windows, the prompt and then the console, both hardened.
      const [promptWindow, consoleWindow] = fake.windows
      expect(fake.windows).toHaveLength(2)
      expect(promptWindow!.options.webPreferences).toMatchObject({
        ...WEB_PREFERENCES,
        partition: 'vault-prompt',
        javascript: false,
      })
      expect(promptWindow!.options.webPreferences).not.toHaveProperty('preload')
      expect(promptWindow!.isDestroyed()).toBe(true)
      expect(consoleWindow!.options.webPreferences).toMatchObject(WEB_PREFERENCES)
      expect(consoleWindow!.options.webPreferences?.preload).toMatch(/preload\.js$/)
      expect(consoleWindow!.url).toBe(`${APP_ORIGIN}/`)

      // Navigation away from the console is blocked; an allow-listed link opens in the browser.
      let prevented = false
      consoleWindow!.webContents.emit('will-navigate', {
        url: 'https://docs.plgd.dev/docs/',
        preventDefault: () => (prevented = true),
      })
      expect(prevented).toBe(true)
      expect(
        consoleWindow!.webContents.windowOpenHandler?.({ url: 'https://evil.example/' }),
      ).toEqual({
        action: 'deny',
      })
      expect(fake.opened).toEqual(['https://docs.plgd.dev/docs/'])

      // The contract answers over IPC from the console only.
      const status = await invoke('status.get', {})
      expect(status.ok, JSON.stringify(status)).toBe(true)
      const refused = await invoke('status.get', {}, 'https://evil.example/')
      expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input' } })

      // The host runs: issuer listening, lock held, tray showing it.
      expect(fake.trays).toHaveLength(1)
      const tooltip = fake.trays[0]!.tooltip
      expect(tooltip).toMatch(/^plgd M2M Console: Issuer running at https:\/\/127\.0\.0\.1:\d+\//)
      const listen = new URL(tooltip.replace(/^.* at /, '')).host
      expect(await portOpen(listen)).toBe(true)
      expect(await lockIsFree()).toBe(false)

      // About (menu) asks the running app: the vault mode is known, not "not open yet".
      const about = findMenuItem(fake.menu, /^About /)
      about.click?.()
      await vi.waitFor(() => expect(fake.messageBoxes).toHaveLength(2))
      expect(JSON.stringify(fake.messageBoxes[1])).toMatch(/passphrase/)

      fake.electron.app.quit()
      await fake.quitted
      expect(fake.exitCode).toBeUndefined()
      // Quit stopped the issuer, released the lock and took the tray away.
      expect(await portOpen(listen)).toBe(false)
      expect(await lockIsFree()).toBe(true)
      expect(fake.trays[0]!.destroyed).toBe(true)
      // SIGINT and SIGTERM quit the same way.
      expect(proc.listenerCount('SIGINT')).toBe(1)
      expect(proc.listenerCount('SIGTERM')).toBe(1)
    },
  )

  it('as a second instance, hands over and touches nothing', async () => {
    fake.lockGranted = false
    await startDesktop(fake.electron, platform('available'), new EventEmitter())
    expect(fake.log).toEqual([
      'platform.pinUserDataDir',
      'app.requestSingleInstanceLock',
      'app.quit',
    ])
    expect(fake.ipcRegistrations).toEqual([])
    expect(platformCalls).toEqual([])
    expect(existsSync(dataDir)).toBe(false)
  })

  it(
    'quits without a vault when the user declines the passphrase',
    { timeout: 30_000 },
    async () => {
      prepareDataDir()
      fake.dialogAnswer = 1
      await startDesktop(fake.electron, platform('unreachable'), new EventEmitter())
      await fake.quitted
      expect(fake.windows).toEqual([])
      expect(fake.errorBoxes).toEqual([])
      expect(openHeadlessSettings(dataDir).get('vault')).toBeUndefined()
      expect(await lockIsFree()).toBe(true)
    },
  )
})
