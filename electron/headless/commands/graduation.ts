import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { ExportedFile } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import { plgdReferences, readPlgdConfig, referencePath } from '../../export/plgd-config.js'
import { SIDECAR_FILE } from '../../export/plgd-graduation.js'
import { writeExportFiles } from '../export-files.js'
import { durationSeconds } from './values.js'
import { customCommand, option, type Io } from './spec.js'

function print(io: Io, json: boolean, value: unknown, human: string): void {
  io.out(json ? `${JSON.stringify(value)}\n` : human)
}

/** Writes an export's files under DIR: secrets 0600, public material 0644 when asked. */
function writeUnder(
  dir: string,
  files: ExportedFile[],
  force: boolean,
  publicFiles = false,
): string[] {
  return writeExportFiles(
    files.map((f) => ({
      path: join(dir, f.path),
      content: f.content,
      secret: f.containsSecret,
      public: publicFiles && !f.containsSecret,
    })),
    { force },
  )
}

/**
 * Graduation rotates secrets before it returns its files: a directory that cannot take them is
 * refused first, so nothing rotates for files that would never be written.
 */
function checkOutDir(dir: string, force: boolean): void {
  if (!existsSync(dir) || force) return
  let entries: string[]
  try {
    entries = readdirSync(dir)
  } catch (cause) {
    throw new AppError('invalid_input', `--out ${dir} is not a directory`, { cause })
  }
  if (entries.length > 0) {
    throw new AppError(
      'already_exists',
      `${dir} already exists and is not empty: choose another --out, or add --force to replace its files`,
    )
  }
}

/**
 * A referenced file, read as plgd would: relative to the config's directory, or absolute. In a
 * directory `export plgd` wrote, `<mountPath>/x` (the pod's mount) is secrets/x beside the config.
 */
function readReferenced(
  configDir: string,
  reference: string,
  what: string,
  mountPath: string | undefined,
): string | undefined {
  const path = referencePath(reference)
  if (path === null) return undefined
  const mounted =
    mountPath !== undefined && path.startsWith(`${mountPath}/`)
      ? join(configDir, 'secrets', path.slice(mountPath.length + 1))
      : undefined
  const full = mounted !== undefined && existsSync(mounted) ? mounted : resolve(configDir, path)
  try {
    return readFileSync(full, 'utf8')
  } catch (cause) {
    const beside = mounted === undefined ? '' : ` nor ${mounted}`
    throw new AppError(
      'invalid_input',
      `${what} ${reference}: cannot read ${full}${beside}: put the file there (an export ` +
        'without --include-private-key has no signing key: export again with it)',
      { cause },
    )
  }
}

/** Every file reference a plgd config names (key, secrets, CA pools), read from disk. */
function referencedFiles(
  configDir: string,
  configYaml: string,
  mountPath: string | undefined,
): Record<string, string> {
  let signer: Record<string, unknown>
  try {
    signer = readPlgdConfig(configYaml).signer
  } catch {
    return {} // the method reports what is wrong with the config
  }
  const files: Record<string, string> = {}
  for (const { reference, what } of plgdReferences(signer)) {
    const content = readReferenced(configDir, reference, what, mountPath)
    if (content !== undefined) files[reference] = content
  }
  return files
}

/** The mount path a sidecar records; the method checks the sidecar itself. */
function sidecarMountPath(json: string | undefined): string | undefined {
  try {
    const mountPath = (JSON.parse(json ?? 'null') as { mountPath?: unknown } | null)?.mountPath
    return typeof mountPath === 'string' ? mountPath : undefined
  } catch {
    return undefined
  }
}

export const graduationCommands = [
  customCommand({
    words: 'export bundle',
    summary: "the issuer's discovery and JWKS as static files, kept up to date on key rotation",
    details:
      'For hubs that cannot reach this machine: serve DIR from an always-on web server at the ' +
      "issuer's origin. Tokens are still signed here. The discovery has no plgd_tokens_endpoint, " +
      'so trust verification (revocation) is off at those hubs. DIR is re-written whenever the ' +
      'published keys change (rotation, import, a retired key purged) until `--stop-updating`. ' +
      'See docs/graduation.md.',
    options: {
      out: option.text('DIR', 'where to write the bundle (and keep it updated)'),
      authority: option.text(
        'URL',
        "the URL hubs will read it at: must be the console's issuer (checked)",
      ),
      force: option.flag('replace the files if they exist'),
      'stop-updating': option.flag('stop re-writing the kept directory on key rotation'),
    },
    examples: ['export bundle --out /srv/www/issuer', 'export bundle --stop-updating'],
    async run(ctx, v) {
      if (v.out === undefined && !v['stop-updating']) {
        throw new AppError('invalid_input', 'give --out DIR (or --stop-updating)')
      }
      const dir = v.out === undefined ? undefined : resolve(v.out)
      const authority = v.authority !== undefined ? { authority: v.authority } : {}
      let bundle = await ctx.call('export.bundle', {
        ...authority,
        stopUpdating: v['stop-updating'],
      })
      const written = dir === undefined ? [] : writeUnder(dir, bundle.files, v.force, true)
      // Kept only once written: a directory that refused the files is not remembered.
      if (dir !== undefined && !v['stop-updating']) {
        bundle = await ctx.call('export.bundle', { ...authority, keepUpdatedIn: dir })
      }
      print(
        ctx.io,
        ctx.globals.json,
        { ...bundle, written },
        [...written.map((p) => `wrote ${p}`), `issuer ${bundle.authority}`, ...bundle.notes].join(
          '\n',
        ) + '\n',
      )
      return 0
    },
  }),
  customCommand({
    words: 'export plgd',
    summary: "graduate to plgd's m2m-oauth-server: config.yaml, secrets, Helm values",
    details:
      'Secrets are stored hashed, so each secret client gets a new secret, written to ' +
      'DIR/secrets/clients/ID; its previous secret keeps working here for `--grace`. ' +
      'User-assertion clients become jwtPrivateKey clients; private_key_jwt and disabled ' +
      'clients are skipped (the report says why). The signing key is written only with ' +
      '`--include-private-key` (owner-only, audited). DIR must not exist or be empty unless ' +
      '`--force`. See docs/graduation.md.',
    options: {
      out: option.required('DIR', 'the directory to write into'),
      'include-private-key': option.flag('also write the signing key (secrets/signing-key.pem)'),
      grace: option.text(
        'DURATION',
        'how long the rotated secrets keep working here: 600, 15m, 1d (default 1d)',
      ),
      domain: option.text('HOST[:PORT]', "plgd's oauthSigner.domain (default: this issuer's)"),
      'mount-path': option.text('PATH', 'where the pod mounts secrets/ (default /secrets)'),
      force: option.flag('write into a directory that is not empty, replacing files'),
    },
    examples: [
      'export plgd --out ./plgd --include-private-key',
      'export plgd --out ./plgd --domain auth.example.com --grace 2d',
    ],
    async run(ctx, v) {
      const dir = resolve(v.out)
      checkOutDir(dir, v.force)
      const graceSeconds = durationSeconds('--grace', v.grace)
      const result = await ctx.call('export.plgd', {
        includePrivateKey: v['include-private-key'],
        ...(graceSeconds !== undefined ? { graceSeconds } : {}),
        ...(v.domain !== undefined ? { domain: v.domain } : {}),
        ...(v['mount-path'] !== undefined ? { mountPath: v['mount-path'] } : {}),
      })
      const written = writeUnder(dir, result.files, v.force)
      const { files: _files, ...report } = result
      print(
        ctx.io,
        ctx.globals.json,
        { ...report, written },
        [
          ...written.map((p) => `wrote ${p}`),
          ...result.clients.map((c) => `${c.id}: ${c.outcome}: ${c.reason}`),
          `key ${result.key.kid} (plgd kid ${result.key.plgdKid}, kid ${result.key.kidKept ? 'kept' : 'NOT kept'})`,
          ...result.notes,
        ].join('\n') + '\n',
      )
      return 0
    },
  }),
  customCommand({
    words: 'import plgd',
    summary: 'import an m2m-oauth-server config.yaml: its key, clients and claim names',
    details:
      'Reads the files the config names (privateKeyFile, secretFile, caPool: paths relative to ' +
      "the config's directory, file:// or data:), and console-sidecar.json beside it when " +
      'present (from `export plgd`). Everything is checked before anything changes. The key ' +
      "keeps plgd's kid and signs at once unless `--no-activate`.",
    args: { name: 'CONFIG_YAML' },
    options: {
      'no-activate': option.flag(
        'publish the imported key as the next key; keep signing with the current one',
      ),
    },
    examples: ['import plgd ./plgd/config.yaml', 'import plgd config.yaml --no-activate --json'],
    async run(ctx, v, [configPath]) {
      let configYaml: string
      try {
        configYaml = readFileSync(configPath, 'utf8')
      } catch (cause) {
        throw new AppError('invalid_input', `cannot read ${configPath}`, { cause })
      }
      const configDir = dirname(resolve(configPath))
      const sidecarPath = join(configDir, SIDECAR_FILE)
      const sidecarJson = existsSync(sidecarPath) ? readFileSync(sidecarPath, 'utf8') : undefined
      const result = await ctx.call('import.plgd', {
        configYaml,
        files: referencedFiles(configDir, configYaml, sidecarMountPath(sidecarJson)),
        ...(sidecarJson !== undefined ? { sidecarJson } : {}),
        activate: !v['no-activate'],
      })
      print(
        ctx.io,
        ctx.globals.json,
        result,
        [
          ...result.clients.map((c) => `${c.id}: ${c.outcome}`),
          result.key
            ? `key ${result.key.kid} (${result.key.alg})${result.key.activated ? ', signing now' : ', published as next'}`
            : 'no key',
          `claims: owner ${result.claims.ownerClaim}, device id ${result.claims.deviceIdClaim}`,
          ...result.notes,
        ].join('\n') + '\n',
      )
      return 0
    },
  }),
]
