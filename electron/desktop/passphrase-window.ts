import { randomBytes } from 'node:crypto'
import type { BrowserWindow as Window } from 'electron'
import { SECURITY_HEADERS } from '../api/console-assets.js'
import type { ElectronMain } from './electron-main.js'
import { PRODUCT_NAME } from './electron-main.js'
import {
  MAX_PASSPHRASE_FORM_BYTES,
  PASSPHRASE_PAGE_CSP,
  PASSPHRASE_PAGE_URL,
  readPassphraseForm,
  renderPassphrasePage,
  type PassphrasePrompt,
} from './passphrase-page.js'

/** In-memory session of the passphrase prompt: it shares no storage with the console. */
export const PROMPT_PARTITION = 'vault-prompt'

/** The user closed the prompt or chose Quit. */
export class PromptCancelled extends Error {
  constructor() {
    super('cancelled by the user')
  }
}

interface PendingPrompt extends PassphrasePrompt {
  window: Window
  resolve(passphrase: string): void
  reject(err: Error): void
}

/**
 * The vault passphrase asked in a small window of its own: a plain HTML form posted back to main
 * through the app:// handler of an in-memory session (`handle`, registered on PROMPT_PARTITION),
 * with JavaScript disabled, no preload and no IPC. One prompt at a time.
 */
export class PassphraseWindow {
  readonly #electron: Pick<ElectronMain, 'BrowserWindow'>
  #pending: PendingPrompt | undefined

  constructor(electron: Pick<ElectronMain, 'BrowserWindow'>) {
    this.#electron = electron
  }

  ask(kind: 'create' | 'unlock', dataDir: string, error: string | undefined): Promise<string> {
    const { BrowserWindow } = this.#electron
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
          this.#pending = undefined
          resolve(passphrase)
          setImmediate(() => window.destroy())
        },
        reject: (err) => {
          this.#pending = undefined
          reject(err)
          if (!window.isDestroyed()) window.destroy()
        },
      }
      this.#pending = prompt
      window.on('closed', () => {
        if (this.#pending === prompt) prompt.reject(new PromptCancelled())
      })
      void window.loadURL(PASSPHRASE_PAGE_URL)
    })
  }

  /** Brings the open prompt forward; false when there is none. */
  focus(): boolean {
    const window = this.#pending?.window
    if (!window || window.isDestroyed()) return false
    window.focus()
    return true
  }

  /** Ends the open prompt, if any, as if the user had quit it. */
  cancel(): void {
    this.#pending?.reject(new PromptCancelled())
  }

  /** The prompt session's app:// handler: the prompt page and its form post, nothing else. */
  readonly handle = async (request: Request): Promise<Response> => {
    const prompt = this.#pending
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
    if (request.method !== 'POST') {
      return new Response('method not allowed', { status: 405, headers })
    }
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
}
