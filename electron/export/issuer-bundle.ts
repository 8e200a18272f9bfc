import { randomBytes } from 'node:crypto'
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import type { ExportedFile } from '../../shared/contract/index.js'
import { AppError } from '../../shared/errors.js'
import { discoveryDocument, type IssuerUrls } from '../issuer/issuer-urls.js'
import type { Logger } from '../platform/logger.js'

/**
 * The static issuer bundle: plgd's discovery document and the JWKS as files, laid out under the
 * authority's path, for a web server that answers hubs which cannot reach this machine (interop
 * §1.5, §1.6, §2.2). Tokens are still signed here; the files only publish the keys.
 */

export interface BundleSource {
  urls(): IssuerUrls
  jwksJson(): string
}

/** Canonical as plgd compares issuers (§2.2): duplicate slashes after the scheme and a trailing `/` go. */
function canonicalIssuer(url: string): string {
  const [scheme, rest = ''] = url.split('://')
  return `${scheme}://${rest.replace(/\/{2,}/g, '/')}`.replace(/\/+$/, '')
}

/**
 * Refuses an authority other than the issuer tokens carry as `iss`: hubs register the JWKS under
 * discovery's `issuer` and compare it with `iss` exactly, so a bundle at another URL would make
 * every token an unknown issuer.
 */
export function checkBundleAuthority(authority: string | undefined, issuer: string): void {
  if (authority === undefined || canonicalIssuer(authority) === canonicalIssuer(issuer)) return
  const wanted = new URL(authority)
  throw new AppError(
    'invalid_input',
    `the bundle's issuer must be the URL this console's tokens carry as iss (${issuer}), not ` +
      `${authority}: hubs compare the two exactly. Make the console's issuer that URL ` +
      `(settings set --public-host ${wanted.hostname} --port ${wanted.port || '443'}), or host ` +
      `the bundle at ${issuer}`,
  )
}

/**
 * The bundle's two files. Discovery never advertises `plgd_tokens_endpoint`: a static server
 * cannot answer hubs' per-token trust calls, so revocation does not reach them.
 */
export function issuerBundleFiles(source: BundleSource): ExportedFile[] {
  const { issuer } = source.urls()
  const origin = new URL(issuer).origin
  const root = new URL(issuer).pathname.replace(/^\/+|\/+$/g, '')
  const wellKnown = (name: string): string => [root, '.well-known', name].filter(Boolean).join('/')
  return [
    {
      path: wellKnown('openid-configuration'),
      mediaType: 'application/json',
      content: `${JSON.stringify(discoveryDocument(origin, false), null, 2)}\n`,
      containsSecret: false,
    },
    {
      path: wellKnown('jwks.json'),
      mediaType: 'application/json',
      content: `${JSON.stringify(JSON.parse(source.jwksJson()), null, 2)}\n`,
      containsSecret: false,
    },
  ]
}

export function issuerBundleNotes(issuer: string): string[] {
  return [
    `Serve the files from a web server at ${new URL(issuer).origin} (HTTPS, a certificate the ` +
      "hubs' caPool trusts), so that the paths above answer under that origin.",
    'Tokens are still signed by this console: clients keep asking it for tokens.',
    'The discovery has no plgd_tokens_endpoint: trust verification (revocation) is off for ' +
      'these tokens at every hub that reads this bundle; keep token lifetimes short.',
  ]
}

/** Writes a file whole: a temporary file beside it, then a rename over the old one. */
function writeAtomically(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 })
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.partial`)
  try {
    writeFileSync(temp, content, { mode: 0o644, flag: 'wx' })
    renameSync(temp, path)
  } catch (err) {
    rmSync(temp, { force: true })
    throw err
  }
}

export interface BundleKeeperDeps extends BundleSource {
  /** The directory kept up to date (settings.json `issuerBundle`), if any. */
  keptIn(): string | undefined
  log: Logger
}

/**
 * Re-writes a kept bundle whenever the published JWKS may have changed (a rotation, an import,
 * a retired key purged). A failure is logged, never thrown: the rotation itself succeeded.
 */
export class BundleKeeper {
  readonly #deps: BundleKeeperDeps

  constructor(deps: BundleKeeperDeps) {
    this.#deps = deps
  }

  refresh(): void {
    const dir = this.#deps.keptIn()
    if (dir === undefined) return
    try {
      // JWKS first: a discovery never points at keys not yet published.
      for (const file of issuerBundleFiles(this.#deps).reverse()) {
        writeAtomically(join(dir, file.path), file.content)
      }
      this.#deps.log.info('re-wrote the static issuer bundle', { dir })
    } catch (err) {
      this.#deps.log.error(
        'could not re-write the static issuer bundle: run `export bundle --out DIR --force` again',
        { dir, error: (err as Error).message },
      )
    }
  }
}

/** A kept directory must be absolute: main re-writes it from wherever it runs. */
export function checkKeptDir(dir: string): string {
  if (!isAbsolute(dir)) {
    throw new AppError('invalid_input', `the bundle directory ${dir} must be an absolute path`)
  }
  return dir
}
