import { rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { App } from '../app.js'
import { startConsoleBridge, type ConsoleBridge } from '../api/http-bridge.js'
import { createDispatcher } from '../api/dispatcher.js'
import type { IssuerReady, IssuerRunOptions } from '../issuer/issuer-runtime.js'
import { startHost, type StartTransport } from '../host.js'
import type { Logger } from '../platform/logger.js'
import type { VaultChoice } from '../secrets/vault.js'
import { openHeadlessApp } from './local-app.js'

export interface ServeOptions extends IssuerRunOptions {
  dataDir: string
  log: Logger
  vault?: VaultChoice | undefined
  vaultPassphraseFile?: string | undefined
  /** Accepts (and audits) a change of the authenticated settings made outside the program. */
  acceptSettingsChange?: boolean | undefined
  /** Serves the console UI (the renderer build) to a browser on a loopback-only bridge. */
  console?: { staticDir: string; port?: number | undefined } | undefined
}

export interface ReadyInfo extends IssuerReady {
  event: 'ready'
  /** http://127.0.0.1:PORT/#session=…: the console in a browser; null without the bridge. */
  consoleUrl: string | null
}

export interface Serving {
  ready: ReadyInfo
  app: App
  stop(): Promise<void>
}

/**
 * Where a running `serve` keeps its console link (the session key) for its user: inside the
 * owner-only data directory, the file itself owner-only, removed at stop. The link goes to
 * stdout only when that is a terminal (or with --json), never into a service's journal.
 */
export function consoleLinkFile(dataDir: string): string {
  return join(resolve(dataDir), 'console-link.txt')
}

/** Starts the issuer on a data directory and holds its lock until stopped. */
export async function serve(options: ServeOptions): Promise<Serving> {
  let bridge: ConsoleBridge | undefined
  const consoleUi = options.console
  const startBridge: StartTransport | undefined = consoleUi
    ? async (app) =>
        (bridge = await startConsoleBridge({
          dispatch: createDispatcher(app, 'console'),
          events: app.events,
          staticDir: consoleUi.staticDir,
          port: consoleUi.port,
          log: app.log,
        }))
    : undefined
  const host = await startHost({
    dataDir: options.dataDir,
    openApp: (dataDir) => openHeadlessApp({ ...options, dataDir, signingThread: true }),
    issuer: options,
    transports: startBridge ? [startBridge] : [],
  })
  const linkFile = consoleLinkFile(host.app.dataDir)
  if (bridge) writeFileSync(linkFile, `${bridge.consoleUrl}\n`, { mode: 0o600 })
  return {
    ready: { event: 'ready', ...host.ready, consoleUrl: bridge?.consoleUrl ?? null },
    app: host.app,
    stop: async () => {
      rmSync(linkFile, { force: true })
      await host.stop()
    },
  }
}
