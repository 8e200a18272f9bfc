// @vitest-environment node
import { execFile } from 'node:child_process'
import { generateKeyPairSync, verify } from 'node:crypto'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Worker } from 'node:worker_threads'
import { listPackage, statFile } from '@electron/asar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * electron-builder.yml as electron-builder itself reads and validates it (app-builder-lib's
 * getConfig + validateConfiguration; installers cannot be built offline), plus what the
 * security model needs of the package: fuses, asar, and the files the app loads at run time.
 */

interface FileSet {
  filter?: string[]
}

interface BuilderConfig {
  publish?: unknown
  asar?: boolean | object | null
  files?: (string | FileSet)[] | null
  electronFuses?: Record<string, boolean> | null
}

interface ConfigModule {
  getConfig(
    projectDir: string,
    configPath: string | null,
    fromOptions: null,
  ): Promise<BuilderConfig>
  validateConfiguration(config: BuilderConfig, debugLogger: unknown): Promise<void>
}

const requireFromHere = createRequire(__filename)
const ROOT = join(__dirname, '..', '..')
const { getConfig, validateConfiguration } = requireFromHere(
  'app-builder-lib/out/util/config/config',
) as ConfigModule
const { DebugLogger } = requireFromHere('builder-util') as {
  DebugLogger: new (enabled: boolean) => unknown
}
const { FileMatcher } = requireFromHere('app-builder-lib/out/fileMatcher') as {
  FileMatcher: new (
    from: string,
    to: string,
    macroExpander: (pattern: string) => string,
    patterns: string[],
  ) => { createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean }
}

let config: BuilderConfig

beforeAll(async () => {
  config = await getConfig(ROOT, 'electron-builder.yml', null)
})

/** Whether electron-builder's own file matcher packs a project file under `files`. */
function packs(file: string): boolean {
  const patterns = (config.files ?? []).flatMap((entry) =>
    typeof entry === 'string' ? [entry] : (entry.filter ?? []),
  )
  const filter = new FileMatcher(ROOT, ROOT, (p) => p, patterns).createFilter()
  return filter(join(ROOT, file), { isDirectory: () => false })
}

describe('electron-builder.yml', () => {
  it('is a valid configuration for the installed electron-builder', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined()
  })

  it('is rejected when wrong (the validation can fail)', async () => {
    const broken = { ...config, electronFuses: { runAsNod: false } }
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow(
      /electronFuses/,
    )
  })

  it('flips the fuses: no run-as-node, app only from an integrity-checked asar', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      grantFileProtocolExtraPrivileges: false,
    })
  })

  it('publishes nothing and ships no updater (updates are off)', () => {
    expect(config.publish).toBeNull()
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>
    }
    expect(Object.keys(manifest.dependencies)).not.toContain('electron-updater')
  })

  it('packs the app into an asar (the integrity fuse checks the asar)', () => {
    expect(config.asar).not.toBe(false)
  })

  it('packs the main entry and the console build', () => {
    const main = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string })
      .main
    expect(main).toBe('dist/node/electron/main.js')
    expect(packs(main)).toBe(true)
    expect(packs('dist/renderer/index.html')).toBe(true)
    expect(packs('dist/renderer/assets/index-abc.js')).toBe(true)
    expect(packs('package.json')).toBe(true)
  })

  it('builds what it packs: the worker bundle and the icons come after tsc in `npm run build`', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>
    }
    const steps = scripts.build!.split(' && ')
    const tsc = steps.indexOf('tsc -b')
    expect(tsc).toBe(0)
    expect(steps.indexOf('node scripts/build-worker.mjs')).toBeGreaterThan(tsc)
    expect(steps).toContain('node scripts/make-icons.mjs')
  })

  it('packs the bundled preload main.ts loads (dist/preload/preload.js)', () => {
    expect(packs('dist/preload/preload.js')).toBe(true)
  })

  it('leaves out source maps and sources', () => {
    expect(packs('dist/node/electron/main.js.map')).toBe(false)
    expect(packs('electron/main.ts')).toBe(false)
    expect(packs('test/unit/ipc-transport.test.ts')).toBe(false)
  })
})

// The Electron fuse wire as @electron/fuses finds it in a binary: sentinel, wire version 1, the
// number of fuses, then one byte each ('0' off, '1' on), in FuseV1Options order.
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
const FUSES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const
// Electron's own defaults, the opposite of most of what electron-builder.yml asks.
const STOCK_WIRE = '10110001'

function readFuses(binary: string): Record<string, boolean> {
  const bytes = readFileSync(binary)
  const at = bytes.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length
  if (at < FUSE_SENTINEL.length) throw new Error(`no fuse wire in ${binary}`)
  expect(bytes[at], 'fuse wire version').toBe(1)
  const wire = bytes.subarray(at + 2, at + 2 + bytes[at + 1]!).toString('latin1')
  return Object.fromEntries(FUSES.map((name, i) => [name, wire[i] === '1']))
}

/**
 * `electron-builder --linux dir` with a stub Electron (a script carrying Electron's fuse wire):
 * the whole pipeline but the Electron download and the native rebuild (offline here), into a
 * folder outside the repo so nothing resolves back to the project's node_modules.
 */
describe('the packed app (electron-builder --dir, stub Electron)', () => {
  const work = mkdtempSync(join(tmpdir(), 'plgd-pack-'))
  const out = join(work, 'out')
  const appDir = join(out, 'linux-unpacked')
  const resources = join(appDir, 'resources')
  const asar = join(resources, 'app.asar')
  const unpacked = join(resources, 'app.asar.unpacked')
  let entries: string[] = []

  beforeAll(async () => {
    for (const built of [
      'dist/node/electron/main.js',
      'dist/renderer/index.html',
      'dist/icons/app/icon.png',
    ]) {
      if (!existsSync(join(ROOT, built)))
        throw new Error(`${built} is missing: run \`npm run build\` before the packaging tests`)
    }
    const worker = readFileSync(
      join(ROOT, 'dist/node/electron/issuer/sign-and-record-worker.js'),
      'utf8',
    )
    if (/require\(["']\.{1,2}\//.test(worker))
      throw new Error(
        'dist/node/electron/issuer/sign-and-record-worker.js is tsc output, not the one-file bundle: run `npm run build` (scripts/build-worker.mjs) after tsc',
      )
    const stub = join(work, 'electron-dist')
    mkdirSync(stub)
    writeFileSync(
      join(stub, 'electron'),
      Buffer.concat([
        Buffer.from(`#!/bin/sh\nexit 0\n# `),
        Buffer.from(FUSE_SENTINEL, 'latin1'),
        Buffer.from([1, FUSES.length]),
        Buffer.from(`${STOCK_WIRE}\n`, 'latin1'),
      ]),
    )
    chmodSync(join(stub, 'electron'), 0o755)
    const electronVersion = (
      JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as {
        version: string
      }
    ).version
    writeFileSync(join(stub, 'version'), electronVersion)
    await promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'node_modules/electron-builder/cli.js'),
        '--linux',
        'dir',
        '--publish',
        'never',
        `-c.electronDist=${stub}`,
        // The rebuild against Electron's headers needs them from the internet.
        '-c.npmRebuild=false',
        `-c.directories.output=${out}`,
      ],
      { cwd: ROOT, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 },
    )
    entries = listPackage(asar, { isPack: false })
  }, 180_000)

  afterAll(() => rmSync(work, { recursive: true, force: true }))

  it('packs the entry, preload, console build and icons into app.asar', () => {
    for (const file of [
      '/package.json',
      '/dist/node/electron/main.js',
      '/dist/preload/preload.js',
      '/dist/renderer/index.html',
      '/dist/icons/app/icon.png',
      '/dist/icons/app/tray.png',
      '/dist/icons/app/tray@2x.png',
    ])
      expect(entries).toContain(file)
    expect(existsSync(join(resources, 'LICENSE'))).toBe(true)
  })

  it('packs no sources, tests, source maps or installer icons', () => {
    const ours = entries.filter((e) => !e.startsWith('/node_modules/'))
    expect(ours.filter((e) => /\.(ts|tsx|map|mjs)$/.test(e))).toEqual([])
    for (const folder of [
      '/electron',
      '/renderer',
      '/shared',
      '/test',
      '/scripts',
      '/docs',
      '/build',
      '/bench',
      '/bin',
      '/dist/cli',
      '/dist/icons/installer',
    ])
      expect(ours.filter((e) => e === folder || e.startsWith(`${folder}/`))).toEqual([])
    expect(ours).not.toContain('/dist/node/electron/preload.js')
  })

  it('packs the runtime dependencies and none of the dev dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>
      devDependencies: Record<string, string>
    }
    for (const name of Object.keys(manifest.dependencies))
      expect(entries, `dependency ${name}`).toContain(`/node_modules/${name}`)
    const dev = Object.keys(manifest.devDependencies).filter((name) =>
      entries.includes(`/node_modules/${name}`),
    )
    expect(dev).toEqual([])
    // Nor what only dev dependencies bring.
    for (const name of [
      'vite',
      'vitest',
      'typescript',
      'react',
      'electron-builder',
      '@resvg/resvg-js',
    ])
      expect(entries).not.toContain(`/node_modules/${name}`)
  })

  it('unpacks every native module, keytar and better-sqlite3 among them', () => {
    const natives = entries.filter((e) => e.endsWith('.node'))
    expect(natives.some((e) => e.startsWith('/node_modules/keytar/'))).toBe(true)
    expect(natives.some((e) => e.startsWith('/node_modules/better-sqlite3/'))).toBe(true)
    for (const file of natives) {
      expect((statFile(asar, file.slice(1)) as { unpacked?: boolean }).unpacked, file).toBe(true)
      expect(existsSync(join(unpacked, file)), file).toBe(true)
    }
    // better-sqlite3 ships its C sources; only the binding is needed.
    expect(entries.filter((e) => e.startsWith('/node_modules/better-sqlite3/deps/'))).toEqual([])
  })

  it('flips the fuses electron-builder.yml sets in the packed binary', () => {
    const fuses = readFuses(join(appDir, 'plgd-m2m-console'))
    expect(fuses).toMatchObject(config.electronFuses ?? {})
    expect(fuses.runAsNode).toBe(false)
    expect(fuses.onlyLoadAppFromAsar).toBe(true)
  })

  it('runs the unpacked signing worker with plain Node: opens the ledger, records and signs', async () => {
    const script = join(unpacked, 'dist/node/electron/issuer/sign-and-record-worker.js')
    expect(existsSync(script)).toBe(true)
    const dataDir = join(work, 'data')
    mkdirSync(dataDir)
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const der = privateKey.export({ format: 'der', type: 'pkcs8' })
    const worker = new Worker(script)
    try {
      // The worker answers the batches of one wake-up together, as an array.
      const reply = new Promise<{ batch: number; tokens?: string[]; error?: string }[]>(
        (resolve, reject) => {
          worker.once('message', resolve)
          worker.once('error', reject)
          worker.once('exit', (code) => reject(new Error(`the worker exited (${code})`)))
        },
      )
      worker.postMessage({ type: 'ledger', dataDir })
      worker.postMessage({ type: 'key', kid: 'k1', alg: 'ES256', der: new Uint8Array(der) })
      const row = [
        'jti-1',
        'pack',
        'owner-1',
        1_700_000_000,
        '[]',
        '',
        1_700_003_600,
        'c1',
        'c1',
        '{}',
      ]
      worker.postMessage({
        type: 'sign',
        batch: 1,
        jobs: [['k1', 'JWT', JSON.stringify({ jti: 'jti-1', sub: 'c1' }), row]],
      })
      const answers = await reply
      expect(answers.map((a) => a.batch)).toEqual([1])
      const answer = answers[0]!
      expect(answer.error).toBeUndefined()
      const [header, payload, signature] = answer.tokens![0]!.split('.')
      expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({
        alg: 'ES256',
        kid: 'k1',
      })
      expect(
        verify(
          'sha256',
          Buffer.from(`${header}.${payload}`),
          { key: publicKey, dsaEncoding: 'ieee-p1363' },
          Buffer.from(signature!, 'base64url'),
        ),
      ).toBe(true)
      expect(existsSync(join(dataDir, 'records.sqlite3'))).toBe(true)
    } finally {
      await worker.terminate()
    }
  })
})
