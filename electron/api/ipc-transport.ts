import type { Envelope } from '../../shared/contract/index.js'
import type { Logger } from '../platform/logger.js'
import type { Dispatch } from './dispatcher.js'

/**
 * The Electron-free core of the IPC transport. desktop/ipc.ts registers one `ipcMain.handle` per
 * contract method (channel `plgd:<method>`) and hands every call to the function built here; the
 * preload invokes exactly those channels and listens on `plgd:event`. This file imports nothing
 * at run time, so the sandboxed preload bundle can share its channel names.
 */

/** Prefix of the one invoke channel per contract method: `plgd:clients.add`, … */
export const IPC_CHANNEL_PREFIX = 'plgd:'
/** The channel main pushes AppEvents on. */
export const IPC_EVENT_CHANNEL = 'plgd:event'

export function ipcChannel(method: string): string {
  return `${IPC_CHANNEL_PREFIX}${method}`
}

/** What main knows about the frame that sent an IPC call. */
export interface IpcSender {
  /** `event.senderFrame.url`; empty when the frame is gone. */
  url: string
  /** `event.senderFrame === event.sender.mainFrame`. */
  isTopFrame: boolean
}

export type IpcHandler = (
  sender: IpcSender,
  method: string,
  input: unknown,
) => Promise<Envelope<unknown>>

/**
 * The origin (`scheme://host[:port]`) of an app:, http: or https: URL; null for anything else
 * (file:, data:, blob:, about:, opaque or malformed URLs, URLs with credentials). Computed by
 * hand because Node's URL reports "null" as the origin of every custom scheme such as app:.
 */
export function originOf(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (!['app:', 'http:', 'https:'].includes(parsed.protocol)) return null
  if (parsed.username !== '' || parsed.password !== '' || parsed.host === '') return null
  return `${parsed.protocol}//${parsed.host}`
}

const REFUSED: Envelope<unknown> = {
  ok: false,
  error: {
    code: 'invalid_input',
    message: 'refused: the call did not come from the console window',
  },
}

/**
 * Wraps the dispatcher for IPC: a call is dispatched only when it comes from the top frame of a
 * page whose origin is exactly `allowedOrigin` (app://console). Anything else (a subframe, a page
 * the window was navigated to, a frame that is already gone) gets an `invalid_input` envelope
 * and the dispatcher is never reached.
 */
export function createIpcHandler(opts: {
  dispatch: Dispatch
  allowedOrigin: string
  log?: Logger | undefined
}): IpcHandler {
  const { dispatch, allowedOrigin, log } = opts
  if (originOf(allowedOrigin) !== allowedOrigin) {
    throw new Error(
      `allowedOrigin must be an exact origin such as app://console, not ${allowedOrigin}`,
    )
  }
  return async (sender, method, input) => {
    const origin = originOf(sender.url)
    if (!sender.isTopFrame || origin !== allowedOrigin) {
      log?.warn('refused an IPC call from outside the console window', {
        method: String(method).slice(0, 64),
        origin: origin ?? 'none',
        topFrame: sender.isTopFrame,
      })
      return REFUSED
    }
    try {
      return await dispatch(method, input)
    } catch (err) {
      // The dispatcher answers envelopes; a throw here is a defect, never shown to the window.
      log?.error('IPC dispatch failed', { method, error: err })
      return { ok: false, error: { code: 'internal', message: 'internal error; see the log' } }
    }
  }
}
