import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { AppEvent, Envelope } from '../shared/contract/index.js'
import { buildConsoleApi, type ConsoleApi } from '../shared/console-api.js'
import { IPC_EVENT_CHANNEL, ipcChannel } from './api/ipc-transport.js'

/**
 * The console window's whole view of main: `window.plgdConsole`, one function per contract
 * method (each invoking its own `plgd:<method>` channel) and an event subscription. Neither
 * ipcRenderer nor a generic invoke is exposed. Bundled into one CommonJS file
 * (scripts/build-preload.mjs): a sandboxed preload can require nothing but 'electron'.
 */

function subscribe(listener: (event: AppEvent) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('subscribe takes a function')
  // The IPC event (with its sender) stays here; the page gets the AppEvent alone.
  const forward = (_event: IpcRendererEvent, appEvent: AppEvent): void => listener(appEvent)
  ipcRenderer.on(IPC_EVENT_CHANNEL, forward)
  let subscribed = true
  return () => {
    if (!subscribed) return
    subscribed = false
    ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward)
  }
}

const api: ConsoleApi = buildConsoleApi(
  (method, input) => ipcRenderer.invoke(ipcChannel(method), input) as Promise<Envelope<unknown>>,
  subscribe,
)

contextBridge.exposeInMainWorld('plgdConsole', api)
