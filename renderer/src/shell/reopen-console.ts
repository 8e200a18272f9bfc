/**
 * How to get a working console after the issuer stopped or restarted: the link carries the
 * session key, which is new on each start, so the old tab can never reconnect by itself.
 */
export const REOPEN_CONSOLE_HELP =
  'Open the console again with its new link: `plgd-m2m-console serve` prints it on its terminal; ' +
  'when it runs as a service, read it from console-link.txt in the data directory. ' +
  'In the desktop app, the window reloads by itself.'

/** Chrome, Firefox and Safari's words for a lazy page chunk that could not be loaded. */
const CHUNK_LOAD_FAILURE =
  /Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed/i

/** A page's code could not be loaded: the console that served this tab is gone or restarted. */
export function isChunkLoadFailure(error: unknown): boolean {
  return error instanceof Error && CHUNK_LOAD_FAILURE.test(error.message)
}
