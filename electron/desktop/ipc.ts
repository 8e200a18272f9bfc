import type { IpcMainInvokeEvent } from 'electron'
import { METHOD_NAMES } from '../../shared/method-names.js'
import type { Dispatch } from '../api/dispatcher.js'
import { createIpcHandler, ipcChannel, type IpcSender } from '../api/ipc-transport.js'
import type { Logger } from '../platform/logger.js'
import type { ElectronMain } from './electron-main.js'
import { APP_ORIGIN } from './window-policy.js'

/**
 * One handler per contract method, registered once at start. Until the host runs (the vault may
 * still be waiting for its passphrase) `current()` is undefined and calls get a "try again"
 * envelope.
 */
export function registerIpc(
  ipcMain: ElectronMain['ipcMain'],
  current: () => Dispatch | undefined,
  log: Logger,
): void {
  const dispatch: Dispatch = (method, input) =>
    current()?.(method, input) ??
    Promise.resolve({
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
