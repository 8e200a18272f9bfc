import { AppError, toErrorShape } from '../../shared/errors.js'
import type { AppEvent } from '../../shared/contract/index.js'
import { createDispatcher, type Dispatch } from '../api/dispatcher.js'
import type { AboutView } from '../../shared/contract/index.js'
import { startHost, type Host } from '../host.js'
import {
  boundOldGeneration,
  boundYoungGeneration,
  scavengeOnOneThread,
} from '../platform/heap-bounds.js'
import type { Keychain } from '../platform/keychain.js'
import type { Logger } from '../platform/logger.js'
import type { SettingsStore } from '../app-settings.js'
import { ConsoleWindow, serveConsoleFile } from './console-window.js'
import type { ElectronMain } from './electron-main.js'
import { PRODUCT_NAME } from './electron-main.js'
import { registerIpc } from './ipc.js'
import { buildMenu } from './menu.js'
import { PROMPT_PARTITION, PassphraseWindow, PromptCancelled } from './passphrase-window.js'
import { confineWebContents, externalLinkOpener, hardenSession } from './session-hardening.js'
import { DesktopTray } from './tray.js'
import { openVaultedApp, passphraseVaultOffer } from './vault-unlock.js'
import { APP_SCHEME } from './window-policy.js'

/** Where the desktop app keeps its data and secrets (electron/desktop/desktop-platform.ts). */
export interface DesktopPlatform {
  /** Pins Electron's userData folder; the single-instance lock lives there. */
  pinUserDataDir(): void
  dataDir(): string
  openSettings(dataDir: string): SettingsStore
  keychain(): Keychain
  log: Logger
}

/** The process events the app listens to (a test passes an EventEmitter). */
export interface DesktopProcess {
  once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown
}

/**
 * The desktop app: the host `serve` runs (the data directory's lock and control socket, the app
 * on the Electron platform, the issuer) plus the console window, which reaches it only through
 * the contract over IPC, a tray and a menu. Resolves once started (or once a second instance has
 * handed over to the first, or a failed start was reported); never rejects.
 */
export function startDesktop(
  electron: ElectronMain,
  platform: DesktopPlatform,
  proc: DesktopProcess = process,
): Promise<void> {
  const { app, dialog, ipcMain, protocol, session } = electron
  const { log } = platform

  // userData first: Electron keeps the single-instance lock there. Then the lock, before anything
  // else: a second instance only hands over to the first (second-instance) and quits.
  platform.pinUserDataDir()
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return Promise.resolve()
  }

  // app:// is a standard, secure origin: relative URLs, fetch and storage work, and IPC can
  // compare one exact origin. No bypassCSP, no service workers. Must precede `ready`.
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ])
  app.enableSandbox()

  const consoleWindow = new ConsoleWindow(electron)
  const prompt = new PassphraseWindow(electron)
  const tray = new DesktopTray(electron, {
    openConsole: () => showConsole(),
    quit: () => app.quit(),
  })
  let host: { host: Host; dispatch: Dispatch } | undefined
  let stopForwarding: (() => void) | undefined
  let quitState: 'running' | 'stopping' | 'stopped' = 'running'

  const showConsole = (): void => {
    if (prompt.focus()) return
    if (host) consoleWindow.show()
  }

  const forwardEvent = (event: AppEvent): void => {
    if (event.type === 'issuer.state') tray.update(event.data)
    consoleWindow.send(event)
  }

  const start = async (): Promise<void> => {
    hardenSession(session.defaultSession)
    session.defaultSession.protocol.handle(APP_SCHEME, serveConsoleFile)
    const promptSession = session.fromPartition(PROMPT_PARTITION)
    hardenSession(promptSession)
    promptSession.protocol.handle(APP_SCHEME, prompt.handle)
    registerIpc(ipcMain, () => host?.dispatch, log)
    electron.Menu.setApplicationMenu(
      buildMenu(electron, {
        // The running app knows the vault mode; before the data directory opens, main's facts.
        about: async () => {
          const answer = await host?.dispatch('about.get', {})
          return answer?.ok ? (answer.value as AboutView) : undefined
        },
      }),
    )
    // The app lives in the tray with the issuer: keep its heap as small as `serve` keeps it.
    boundYoungGeneration()

    let started: Host
    try {
      started = await startHost({
        dataDir: platform.dataDir(),
        openApp: (dataDir) =>
          openVaultedApp({
            dataDir,
            openSettings: platform.openSettings,
            keychain: platform.keychain(),
            log,
            askPassphrase: (kind, dir, error) => prompt.ask(kind, dir, error),
            offerPassphraseVault: passphraseVaultOffer(dialog),
          }),
        issuer: {},
      })
    } catch (err) {
      if (err instanceof PromptCancelled) {
        quitState = 'stopped'
        app.quit()
        return
      }
      throw err
    }
    host = { host: started, dispatch: createDispatcher(started.app, 'desktop') }
    boundOldGeneration()
    scavengeOnOneThread()
    stopForwarding = started.app.events.subscribe(forwardEvent)
    tray.create({ running: true, issuer: started.ready.issuer })
    showConsole()
  }

  const fatal = (err: unknown): void => {
    const shape = toErrorShape(err)
    if (!(err instanceof AppError && err.expose)) log.error('start failed', { error: err })
    dialog.showErrorBox(PRODUCT_NAME, `${shape.message} (${shape.code})`)
    quitState = 'stopped'
    app.exit(1)
  }

  /** Stops the host (issuer, then the app's stores) and the tray, before quitting. */
  const shutdown = async (): Promise<void> => {
    stopForwarding?.()
    stopForwarding = undefined
    prompt.cancel()
    const running = host
    host = undefined
    try {
      await running?.host.stop()
    } catch (err) {
      log.error('stopping the issuer failed', { error: err })
    }
    tray.destroy()
  }

  app.on('second-instance', () => showConsole())
  app.on('activate', () => showConsole())
  // Closing the window leaves the issuer running; the tray (or starting the app again) reopens
  // it, and Quit stops everything.
  app.on('window-all-closed', () => {})
  confineWebContents(app, externalLinkOpener(electron.shell, log))
  app.on('before-quit', (event) => {
    if (quitState === 'stopped') return
    event.preventDefault()
    if (quitState === 'stopping') return
    quitState = 'stopping'
    void shutdown().finally(() => {
      quitState = 'stopped'
      app.quit()
    })
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) proc.once(signal, () => app.quit())
  proc.on('unhandledRejection', (reason) => log.error('unhandled rejection', { error: reason }))
  return app.whenReady().then(start).catch(fatal)
}
