// @vitest-environment node
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'

/**
 * The release workflow, validated offline against GitHub's workflow schema by
 * @action-validator/cli (WASM, no download), then read for what a release must do.
 */

const ROOT = join(__dirname, '..', '..')
const WORKFLOW = join(ROOT, '.github/workflows/release.yml')
const VALIDATOR = join(ROOT, 'node_modules/@action-validator/cli/cli.mjs')
const work = mkdtempSync(join(tmpdir(), 'plgd-workflow-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

async function validate(file: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [VALIDATOR, file], {
      timeout: 30_000,
    })
    return { ok: true, output: stdout + stderr }
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string }
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}

interface Step {
  name?: string
  uses?: string
  run?: string
  if?: string
  env?: Record<string, string>
  with?: Record<string, unknown>
}
interface Job {
  needs?: string | string[]
  permissions?: Record<string, string>
  strategy?: { matrix: { include: Record<string, string>[] } }
  steps: Step[]
}
const text = readFileSync(WORKFLOW, 'utf8')
const workflow = parse(text) as {
  on: { push: { tags: string[] } }
  permissions: Record<string, string>
  jobs: Record<string, Job>
}
const runs = (job: Job): string => job.steps.map((s) => s.run ?? '').join('\n')

describe('.github/workflows/release.yml', () => {
  it("passes GitHub's workflow schema", async () => {
    const result = await validate(WORKFLOW)
    expect(result.output).toBe('')
    expect(result.ok).toBe(true)
  })

  it('is refused when broken (the validation can fail)', async () => {
    const broken = join(work, 'broken.yml')
    writeFileSync(broken, text.replace('runs-on: ${{ matrix.os }}', 'runs_on: ${{ matrix.os }}'))
    const result = await validate(broken)
    expect(result.ok).toBe(false)
    expect(result.output).toMatch(/runs_on/)
  })

  it('runs on a version tag, read-only unless it drafts the release', () => {
    expect(workflow.on.push.tags).toEqual(['v*.*.*'])
    expect(workflow.permissions).toEqual({ contents: 'read' })
    expect(workflow.jobs.release!.permissions).toEqual({ contents: 'write' })
  })

  it("runs the README's test command before any installer is built", () => {
    const { test, package: pack } = workflow.jobs
    expect(runs(test!)).toMatch(/^npm test$/m)
    expect(runs(test!)).toMatch(/install-test-deps/)
    expect(pack!.needs).toBe('test')
  })

  it('builds deb and AppImage, nsis, and dmg for both Mac architectures, publishing nothing itself', () => {
    const matrix = workflow.jobs.package!.strategy!.matrix.include
    const targets = Object.fromEntries(matrix.map((m) => [m.platform, m.targets]))
    expect(targets.linux).toMatch(/--linux deb AppImage/)
    expect(targets.windows).toMatch(/--win nsis/)
    expect(targets.macos).toMatch(/--mac dmg --arm64 --x64/)
    expect(runs(workflow.jobs.package!)).toMatch(/electron-builder \$TARGETS --publish never/)
  })

  it('attaches SHA-256 sums, checked before the release is drafted', () => {
    expect(runs(workflow.jobs.package!)).toMatch(/node scripts\/release-checksums\.mjs release/)
    const release = runs(workflow.jobs.release!)
    expect(release).toMatch(/sha256sum --check --strict SHA256SUMS\.txt/)
    expect(release).toMatch(/gh release create "\$GITHUB_REF_NAME" --draft --verify-tag/)
  })

  it('signs and notarises from secrets, and warns on the run when one is missing', () => {
    const step = workflow.jobs.package!.steps.find((s) => s.name?.startsWith('Signing'))!
    for (const secret of [
      'MAC_CSC_LINK',
      'MAC_CSC_KEY_PASSWORD',
      'APPLE_API_KEY_BASE64',
      'APPLE_API_KEY_ID',
      'APPLE_API_ISSUER',
      'WIN_CSC_LINK',
      'WIN_CSC_KEY_PASSWORD',
    ])
      expect(step.env?.[secret]).toBe(`\${{ secrets.${secret} }}`)
    expect(step.run).toMatch(/::warning title=macOS build unsigned::/)
    expect(step.run).toMatch(/::warning title=macOS build not notarised::/)
    expect(step.run).toMatch(/::warning title=Windows build unsigned::/)
    // An unsigned Mac build must not pick a random identity from the keychain.
    expect(step.run).toMatch(/CSC_IDENTITY_AUTO_DISCOVERY=false/)
  })
})

describe('scripts/release-checksums.mjs', () => {
  it('writes sums that sha256sum --check accepts, for the installers only', async () => {
    const dir = mkdtempSync(join(work, 'release-'))
    writeFileSync(join(dir, 'app-0.1.0-amd64.deb'), 'deb bytes')
    writeFileSync(join(dir, 'app-0.1.0-setup-x64.exe'), 'exe bytes')
    writeFileSync(join(dir, 'builder-debug.yml'), 'not an installer')
    const run = promisify(execFile)
    await run(process.execPath, [join(ROOT, 'scripts/release-checksums.mjs'), dir, 'SUMS.txt'])
    const sums = readFileSync(join(dir, 'SUMS.txt'), 'utf8')
    expect(
      sums
        .trim()
        .split('\n')
        .map((l) => l.split('  ')[1]),
    ).toEqual(['app-0.1.0-amd64.deb', 'app-0.1.0-setup-x64.exe'])
    await expect(
      run('sha256sum', ['--check', '--strict', 'SUMS.txt'], { cwd: dir }),
    ).resolves.toBeDefined()
    writeFileSync(join(dir, 'app-0.1.0-amd64.deb'), 'tampered')
    await expect(run('sha256sum', ['--check', 'SUMS.txt'], { cwd: dir })).rejects.toMatchObject({
      stdout: expect.stringContaining('app-0.1.0-amd64.deb: FAILED'),
    })
  })
})

describe('CHANGELOG.md', () => {
  it("keeps an Unreleased section and one for package.json's version (the tag the workflow wants)", () => {
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      version: string
    }
    expect(changelog).toMatch(/^## \[Unreleased\]$/m)
    expect(changelog).toMatch(
      new RegExp(`^## \\[${version.replaceAll('.', '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'),
    )
  })
})
