import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../../shared/errors.js'
import { boundOldGeneration, scavengeOnOneThread } from '../../platform/heap-bounds.js'
import { rendererDir } from '../../platform/install-paths.js'
import type { Logger } from '../../platform/logger.js'
import { consoleLinkFile, serve } from '../serve.js'
import { customCommand, option } from './spec.js'

export const serveCommands = [
  customCommand({
    words: 'serve',
    summary: 'run the token issuer (HTTPS) until SIGTERM/SIGINT',
    details:
      'Listening off loopback requires `--public-host`. The console UI is served on `127.0.0.1` unless `--no-console`; its link is the session key: keep it private. The link is printed only when stdout is a terminal (or with `--json`); otherwise, as under a service manager, read it from `console-link.txt` in the data directory (owner-only, removed at stop). With `--json` it prints one line once ready: `{"event":"ready","issuer","tokenEndpoint","jwksUri","caCertFile","listen","consoleUrl"}`.',
    options: {
      listen: option.text(
        'HOST:PORT',
        'listen address (default `127.0.0.1:8443`; port `0` picks a free port)',
      ),
      'public-host': option.text(
        'NAME',
        'the name hubs use to reach the issuer, put in the certificate and the issuer URL (required off loopback)',
      ),
      'insecure-http': option.flag('plain HTTP, loopback only (tests, local scripts)'),
      station: option.flag(
        'an always-on issuer: discovery advertises `plgd_tokens_endpoint`, so hubs check every token against the ledger and honour revocations; for this run, whatever `settings set --station` stored',
      ),
      'no-console': option.flag('do not serve the console UI'),
      'console-port': option.integer('port', 'port of the console UI (default: any free port)'),
      'accept-settings-change': option.flag(
        'settings.json was changed outside the program (clients, trusted authorities or keys) and the change is yours: accept it, re-tag the file and record that in the audit log',
      ),
    },
    examples: ['serve --listen 0.0.0.0:8443 --public-host console.example.lan --station'],
    async run({ globals, io }, v) {
      const running = await serve({
        dataDir: globals.dataDir,
        log: globals.log,
        listen: v.listen === undefined ? undefined : parseListen(v.listen),
        publicHost: v['public-host'],
        insecureHttp: v['insecure-http'],
        // Without the flag the stored setting (settings set --station) decides.
        station: v.station ? true : undefined,
        console: v['no-console'] ? undefined : consoleBuild(globals.log, v['console-port']),
        vault: globals.vault,
        vaultPassphraseFile: globals.vaultPassphraseFile,
        acceptSettingsChange: v['accept-settings-change'],
      })
      const { ready } = running
      // The young generation is bounded from the first line (bin/plgd-m2m-console.js).
      const releaseOldGeneration = boundOldGeneration()
      const releaseScavenges = scavengeOnOneThread()
      if (globals.json) io.out(`${JSON.stringify(ready)}\n`)
      else {
        io.out(
          `Issuer ready at ${ready.issuer}\n  token endpoint  ${ready.tokenEndpoint}\n  JWKS            ${ready.jwksUri}\n` +
            (ready.caCertFile
              ? `  CA certificate  ${ready.caCertFile} (give it to hubs as their CA pool)\n`
              : '') +
            consoleLines(ready.consoleUrl, globals.dataDir, process.stdout.isTTY === true) +
            'Stop with Ctrl+C.\n',
        )
      }
      await new Promise<void>((resolveStop) => {
        const stop = (signal: string): void => {
          globals.log.info('stopping', { signal })
          resolveStop()
        }
        process.once('SIGTERM', stop)
        process.once('SIGINT', stop)
      })
      await running.stop()
      releaseScavenges()
      releaseOldGeneration()
      return 0
    },
  }),
]

/**
 * The console link is the session key: printed to a terminal, but not into a log that stdout
 * feeds (systemd's journal, a CI log); there, where to read it.
 */
export function consoleLines(url: string | null, dataDir: string, terminal: boolean): string {
  if (url === null) return ''
  if (terminal) {
    return `  console         ${url}\n                  (open it in a browser; the link is the session key: keep it private)\n`
  }
  return `  console         ${new URL(url).origin}/ (its link, with the session key, is in ${consoleLinkFile(dataDir)})\n`
}

/** The renderer build next to the compiled CLI (dist/renderer); none in a source-only checkout. */
function consoleBuild(
  log: Logger,
  port: number | undefined,
): { staticDir: string; port?: number } | undefined {
  const staticDir = rendererDir()
  if (existsSync(join(staticDir, 'index.html')))
    return port === undefined ? { staticDir } : { staticDir, port }
  log.warn('the console UI is not built (npm run build): serving the issuer only')
  return undefined
}

export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value)
  const port = Number(m?.[3])
  if (!m || port > 65535)
    throw new AppError('invalid_input', `--listen takes HOST:PORT, not ${value}`)
  return { host: (m[1] ?? m[2])!, port }
}
