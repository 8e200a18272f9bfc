import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import {
  BrowserWindow,
  Menu,
  Tray,
  app,
  dialog,
  ipcMain,
  nativeImage,
  protocol,
  session,
  shell,
  type IpcMainInvokeEvent,
  type MenuItemConstructorOptions,
  type NativeImage,
  type Session,
} from 'electron'
import type { AppEvent } from '../shared/contract/index.js'
import { AppError, toErrorShape } from '../shared/errors.js'
import { METHOD_NAMES } from '../shared/method-names.js'
import { openApp, type App } from './app.js'
import { ControlSocket } from './api/control-socket.js'
import { createDispatcher, type Dispatch } from './api/dispatcher.js'
import {
  IPC_EVENT_CHANNEL,
  createIpcHandler,
  ipcChannel,
  originOf,
  type IpcSender,
} from './api/ipc-transport.js'
import {
  APP_ORIGIN,
  APP_SCHEME,
  MAX_PASSPHRASE_FORM_BYTES,
  PASSPHRASE_PAGE_CSP,
  PASSPHRASE_PAGE_URL,
  SECURITY_HEADERS,
  appRequestPath,
  isSameAppOrigin,
  loadStaticAsset,
  readPassphraseForm,
  renderPassphrasePage,
  toAllowedExternalUrl,
  type PassphrasePrompt,
} from './electron-shell-policy.js'
import { startIssuer, type IssuerReady } from './issuer/issuer-runtime.js'
import { electronDataDir, pinUserDataDir } from './platform/electron-paths.js'
import { openElectronSettings } from './platform/electron-settings.js'
import { boundOldGeneration, boundYoungGeneration } from './platform/heap-bounds.js'
import { keytarKeychain } from './platform/keychain.js'
import { createLogger } from './platform/logger.js'
import { controlSocketPath, ensureDataDir } from './platform/paths.js'
import type { VaultChoice } from './secrets/vault.js'

/**
 * The desktop app: the issuer (what `serve` runs: the data directory's lock and control socket,
 * then startIssuer, on the Electron platform: electron-store settings, keytar keychain) plus the
 * console window, which reaches it only through the contract over IPC. Compiled by tsc to
 * dist/node/electron/main.js; the renderer build is dist/renderer and the bundled preload
 * dist/preload/preload.js.
 */

const PRODUCT_NAME = 'plgd M2M Console'
const RENDERER_DIR = join(__dirname, '..', '..', 'renderer')
const PRELOAD_FILE = join(__dirname, '..', '..', 'preload', 'preload.js')
/** In-memory session of the passphrase prompt: it shares no storage with the console. */
const PROMPT_PARTITION = 'vault-prompt'

const log = createLogger({ json: false })

/** The opened data directory and its running issuer. */
interface Desktop {
  app: App
  ready: IssuerReady
  /** The dispatcher IPC calls reach (audit actor `desktop`). */
  dispatch: Dispatch
  stop(): Promise<void>
}

let running: Desktop | undefined
let consoleWindow: BrowserWindow | undefined
let tray: Tray | undefined
let stopForwarding: (() => void) | undefined
let issuerState: { running: boolean; issuer: string } = { running: false, issuer: '' }
let quitState: 'running' | 'stopping' | 'stopped' = 'running'

// --- Before ready --------------------------------------------------------------------------------

// app:// is a standard, secure origin: relative URLs, fetch and storage work, and IPC can compare
// one exact origin. No bypassCSP, no service workers.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
])
app.enableSandbox()
pinUserDataDir()

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the data directory; it brings its window forward (second-instance).
  app.quit()
} else {
  app.on('second-instance', () => showConsole())
  app.on('activate', () => showConsole())
  // Closing the window leaves the issuer running; the tray (or starting the app again) reopens
  // it, and Quit stops everything.
  app.on('window-all-closed', () => {})
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.on('will-navigate', (event, _url) => {
      if (isSameAppOrigin(event.url)) return
      event.preventDefault()
      // A plain link to the plgd docs opens in the browser; anything else goes nowhere.
      openExternal(event.url)
    })
    contents.on('will-redirect', (event) => {
      if (!isSameAppOrigin(event.url)) event.preventDefault()
    })
    contents.setWindowOpenHandler(({ url }) => {
      openExternal(url)
      return { action: 'deny' }
    })
  })
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
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => app.quit())
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { error: reason }))
  app.whenReady().then(start).catch(fatal)
}

// --- Start ---------------------------------------------------------------------------------------

async function start(): Promise<void> {
  hardenSession(session.defaultSession)
  session.defaultSession.protocol.handle(APP_SCHEME, serveConsoleFile)
  const promptSession = session.fromPartition(PROMPT_PARTITION)
  hardenSession(promptSession)
  promptSession.protocol.handle(APP_SCHEME, servePassphrasePage)
  registerIpc()
  Menu.setApplicationMenu(buildMenu())
  // The app lives in the tray with the issuer: keep its heap as small as `serve` keeps it.
  boundYoungGeneration()

  try {
    running = await openDesktop()
  } catch (err) {
    if (err instanceof PromptCancelled) {
      quitState = 'stopped'
      app.quit()
      return
    }
    throw err
  }
  boundOldGeneration()
  issuerState = { running: true, issuer: running.ready.issuer }
  stopForwarding = running.app.events.subscribe(forwardEvent)
  createTray()
  showConsole()
}

function fatal(err: unknown): void {
  const shape = toErrorShape(err)
  if (!(err instanceof AppError && err.expose)) log.error('start failed', { error: err })
  dialog.showErrorBox(PRODUCT_NAME, `${shape.message} (${shape.code})`)
  quitState = 'stopped'
  app.exit(1)
}

/**
 * Takes the data directory's lock (its control socket, which then serves CLI commands), opens
 * the app on the Electron platform and starts the issuer with startIssuer, as `serve` does.
 */
async function openDesktop(): Promise<Desktop> {
  const dataDir = ensureDataDir(electronDataDir())
  const lock = await ControlSocket.acquire(controlSocketPath(dataDir))
  let core: App | undefined
  try {
    core = await openVaultedApp(dataDir)
    const issuer = await startIssuer(core, {})
    lock.serve(createDispatcher(core, 'cli'))
    const opened = core
    return {
      app: opened,
      ready: issuer.ready,
      dispatch: createDispatcher(opened, 'desktop'),
      async stop() {
        await lock.close()
        await issuer.stop()
        await opened.close()
      },
    }
  } catch (err) {
    await core?.close()
    await lock.close()
    throw err
  }
}

/**
 * Opens the app on the data directory, choosing its vault explicitly, never silently:
 * - an existing vault opens as it was created (a passphrase vault asks for its passphrase);
 * - a new data directory uses the OS keychain; when the keychain is unavailable the user is
 *   told why and offered the passphrase vault, or quits. Nothing is ever stored in plaintext.
 * The passphrase is asked in a small window of its own: a plain HTML form posted back to main
 * through the app:// handler of an in-memory session, with JavaScript disabled, no preload and
 * no IPC. It runs before the console exists because the console's data needs the vault open.
 */
async function openVaultedApp(dataDir: string): Promise<App> {
  const keychain = keytarKeychain()
  let choice: VaultChoice | undefined
  let retryMessage: string | undefined
  for (;;) {
    const settings = openElectronSettings(dataDir)
    const vault = settings.get('vault')
    const firstRun = vault === undefined
    const passphraseVault = vault?.mode === 'passphrase'
    const error = retryMessage
    try {
      return await openApp({
        dataDir,
        settings,
        keychain,
        log,
        vaultChoice: choice,
        passphrase: () => askPassphrase(firstRun ? 'create' : 'unlock', dataDir, error),
        signingThread: true,
      })
    } catch (err) {
      retryMessage = undefined
      if (!(err instanceof AppError)) throw err
      if (err.code === 'keychain_unavailable' && firstRun && choice === undefined) {
        if (!(await offerPassphraseVault(err.message))) throw new PromptCancelled()
        choice = 'passphrase'
        continue
      }
      if (err.code === 'vault_locked' && passphraseVault) {
        retryMessage = 'Wrong passphrase; try again.'
        continue
      }
      throw err
    }
  }
}

async function offerPassphraseVault(reason: string): Promise<boolean> {
  const { response } = await dialog.showMessageBox({
    type: 'warning',
    title: PRODUCT_NAME,
    message: 'The OS keychain is not available',
    detail:
      `${reason}\n\nThe console seals its signing keys and secrets under a wrapping key that ` +
      'normally lives in the OS keychain. Instead, it can derive that key from a passphrase you ' +
      'type at every start. Secrets are never stored in plaintext.',
    buttons: ['Use a passphrase', 'Quit'],
    defaultId: 0,
    cancelId: 1,
    noLink: true,
  })
  return response === 0
}

// --- The passphrase prompt -----------------------------------------------------------------------

class PromptCancelled extends Error {
  constructor() {
    super('cancelled by the user')
  }
}

interface PendingPrompt extends PassphrasePrompt {
  window: BrowserWindow
  resolve(passphrase: string): void
  reject(err: Error): void
}

let pendingPrompt: PendingPrompt | undefined

function askPassphrase(
  kind: 'create' | 'unlock',
  dataDir: string,
  error: string | undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const window = new BrowserWindow({
      width: 480,
      height: kind === 'create' ? 400 : 330,
      resizable: false,
      minimizable: false,
      maximizable: false,
      fullscreenable: false,
      autoHideMenuBar: true,
      title: PRODUCT_NAME,
      webPreferences: {
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webviewTag: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        navigateOnDragDrop: false,
        disableBlinkFeatures: 'Auxclick',
        partition: PROMPT_PARTITION,
        javascript: false,
      },
    })
    window.removeMenu()
    const prompt: PendingPrompt = {
      kind,
      dataDir,
      error,
      nonce: randomBytes(24).toString('base64url'),
      window,
      resolve: (passphrase) => {
        pendingPrompt = undefined
        resolve(passphrase)
        setImmediate(() => window.destroy())
      },
      reject: (err) => {
        pendingPrompt = undefined
        reject(err)
        if (!window.isDestroyed()) window.destroy()
      },
    }
    pendingPrompt = prompt
    window.on('closed', () => {
      if (pendingPrompt === prompt) prompt.reject(new PromptCancelled())
    })
    void window.loadURL(PASSPHRASE_PAGE_URL)
  })
}

/** The prompt session's app:// handler: the prompt page and its form post, nothing else. */
async function servePassphrasePage(request: Request): Promise<Response> {
  const prompt = pendingPrompt
  const headers = { ...SECURITY_HEADERS, 'Content-Security-Policy': PASSPHRASE_PAGE_CSP }
  const page = (p: PassphrasePrompt): Response =>
    new Response(renderPassphrasePage(p), {
      headers: {
        ...headers,
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
      },
    })
  if (!prompt || request.url !== PASSPHRASE_PAGE_URL) {
    return new Response('not found', { status: 404, headers })
  }
  if (request.method === 'GET') return page(prompt)
  if (request.method !== 'POST') return new Response('method not allowed', { status: 405, headers })
  const body = await request.text()
  if (Buffer.byteLength(body) > MAX_PASSPHRASE_FORM_BYTES) {
    return new Response('too large', { status: 413, headers })
  }
  const form = readPassphraseForm(body, prompt)
  switch (form.action) {
    case 'reject':
      return new Response('forbidden', { status: 403, headers })
    case 'retry':
      return page({ ...prompt, error: form.error })
    case 'cancel':
      prompt.reject(new PromptCancelled())
      return new Response('cancelled', { headers })
    case 'submit':
      prompt.resolve(form.passphrase)
      return new Response('opening the vault…', { headers })
  }
}

// --- The console window --------------------------------------------------------------------------

/** The default session's app:// handler: dist/renderer, read-only, with the console's CSP. */
async function serveConsoleFile(request: Request): Promise<Response> {
  const headers = { ...SECURITY_HEADERS }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new Response('method not allowed', {
      status: 405,
      headers: { ...headers, Allow: 'GET, HEAD' },
    })
  }
  const rawPath = appRequestPath(request.url)
  const asset = rawPath === null ? null : await loadStaticAsset(RENDERER_DIR, rawPath)
  if (!asset) return new Response('not found', { status: 404, headers })
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(asset.body), {
    headers: { ...headers, 'Content-Type': asset.contentType, 'Cache-Control': asset.cacheControl },
  })
}

function showConsole(): void {
  if (pendingPrompt && !pendingPrompt.window.isDestroyed()) {
    pendingPrompt.window.focus()
    return
  }
  if (!running) return
  if (consoleWindow && !consoleWindow.isDestroyed()) {
    if (consoleWindow.isMinimized()) consoleWindow.restore()
    consoleWindow.show()
    consoleWindow.focus()
    return
  }
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: PRODUCT_NAME,
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
      preload: PRELOAD_FILE,
      devTools: !app.isPackaged,
    },
  })
  consoleWindow = window
  window.once('ready-to-show', () => window.show())
  window.on('closed', () => {
    if (consoleWindow === window) consoleWindow = undefined
  })
  void window.loadURL(`${APP_ORIGIN}/`)
}

/**
 * Every permission (camera, notifications, HID, …) is refused, asked or checked, except writing
 * to the clipboard from the console itself: its copy buttons (issuer URL, a new secret shown
 * once) need it, and it reads nothing.
 */
function hardenSession(ses: Session): void {
  const clipboardWrite = (permission: string, origin: string): boolean =>
    permission === 'clipboard-sanitized-write' && origin === APP_ORIGIN
  ses.setPermissionRequestHandler((webContents, permission, callback) =>
    callback(clipboardWrite(permission, originOf(webContents.getURL()) ?? '')),
  )
  ses.setPermissionCheckHandler((webContents, permission) =>
    clipboardWrite(permission, originOf(webContents?.getURL() ?? '') ?? ''),
  )
  ses.setDevicePermissionHandler(() => false)
}

function openExternal(url: string): void {
  const allowed = toAllowedExternalUrl(url)
  if (allowed === null) {
    log.warn('blocked a link to outside the console', { url: url.slice(0, 200) })
    return
  }
  // Electronegativity flags every openExternal with a non-literal argument; this one only ever
  // receives a URL toAllowedExternalUrl normalized and allowed (https, plgd.dev hosts only).
  void shell.openExternal(allowed)
}

// --- IPC -----------------------------------------------------------------------------------------

/**
 * One handler per contract method, registered once at start. Until the issuer runs (the vault
 * may still be waiting for its passphrase) calls get a "try again" envelope.
 */
function registerIpc(): void {
  const dispatch: Dispatch = (method, input) =>
    running
      ? running.dispatch(method, input)
      : Promise.resolve({
          ok: false,
          error: { code: 'data_dir_locked', message: 'the issuer is still starting; try again' },
        })
  const handle = createIpcHandler({ dispatch, allowedOrigin: APP_ORIGIN, log })
  for (const method of METHOD_NAMES) {
    ipcMain.handle(ipcChannel(method), (event, input: unknown) =>
      handle(senderOf(event), method, input),
    )
  }
}

function senderOf(event: IpcMainInvokeEvent): IpcSender {
  try {
    const frame = event.senderFrame
    if (!frame) return { url: '', isTopFrame: false }
    return { url: frame.url, isTopFrame: frame === event.sender.mainFrame }
  } catch {
    // A frame that navigated away or was destroyed mid-call.
    return { url: '', isTopFrame: false }
  }
}

function forwardEvent(event: AppEvent): void {
  if (event.type === 'issuer.state') {
    issuerState = event.data
    updateTray()
  }
  const window = consoleWindow
  if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, event)
}

// --- Menu and tray -------------------------------------------------------------------------------

function buildMenu(): Menu {
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ]
  if (!app.isPackaged) {
    view.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' })
  }
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' } as const] : []),
    { label: 'File', submenu: [{ role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    { label: 'View', submenu: view },
    {
      label: 'Help',
      submenu: [
        {
          label: 'plgd documentation',
          click: () => void shell.openExternal('https://docs.plgd.dev/'),
        },
      ],
    },
  ]
  return Menu.buildFromTemplate(template)
}

function createTray(): void {
  tray = new Tray(trayIcon())
  updateTray()
}

function updateTray(): void {
  if (!tray || tray.isDestroyed()) return
  const status = issuerState.running ? 'Issuer running' : 'Issuer stopped'
  tray.setToolTip(
    `${PRODUCT_NAME}: ${status}${issuerState.running ? ` at ${issuerState.issuer}` : ''}`,
  )
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: status, enabled: false },
      ...(issuerState.running ? [{ label: issuerState.issuer, enabled: false }] : []),
      { type: 'separator' },
      { label: 'Open console', click: () => showConsole() },
      { type: 'separator' },
      { label: 'Quit', click: () => app.quit() },
    ]),
  )
}

/** A 16×16 filled disc in plgd blue, drawn here so the app ships no image files for it. */
function trayIcon(): NativeImage {
  const size = 16
  const bitmap = Buffer.alloc(size * size * 4)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x + 0.5 - size / 2, y + 0.5 - size / 2)
      const alpha = Math.round(255 * Math.min(1, Math.max(0, size / 2 - 0.5 - d + 1)))
      bitmap.set([0xd4, 0x6b, 0x1f, alpha], (y * size + x) * 4) // BGRA
    }
  }
  return nativeImage.createFromBitmap(bitmap, { width: size, height: size })
}

// --- Shutdown ------------------------------------------------------------------------------------

/** Stops the issuer, then flushes and closes the stores (the app's close), before quitting. */
async function shutdown(): Promise<void> {
  stopForwarding?.()
  stopForwarding = undefined
  pendingPrompt?.reject(new PromptCancelled())
  const issuer = running
  running = undefined
  try {
    await issuer?.stop()
  } catch (err) {
    log.error('stopping the issuer failed', { error: err })
  }
  tray?.destroy()
  tray = undefined
}
