// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { ParsedInput, PlgdGraduation } from '../../shared/contract/index'
import { DashboardPage } from '../../renderer/src/features/status/DashboardPage'
import { fakeConsole, renderWithApp, statusView, type Handlers } from './helpers'

const REPORT: PlgdGraduation = {
  files: [
    {
      path: 'config.yaml',
      mediaType: 'application/yaml',
      content: 'clients: []\n',
      containsSecret: false,
    },
    {
      path: 'secrets/clients/dps',
      mediaType: 'text/plain',
      content: 'fresh-secret',
      containsSecret: true,
    },
  ],
  clients: [
    { id: 'dps', outcome: 'rotated', reason: 'a new secret; the old one works 1 d', notInPlgd: [] },
    {
      id: 'svc',
      outcome: 'skipped',
      reason: 'private_key_jwt has no plgd equivalent',
      notInPlgd: ['auth.jwks'],
    },
  ],
  key: { kid: 'kid-1', plgdKid: 'kid-1', kidKept: true, privateKeyIncluded: false },
  notes: ['deploy config.yaml with the secrets mounted at /secrets'],
}

function setup(extra: Handlers = {}) {
  const fake = fakeConsole({
    'status.get': () => statusView(),
    'export.plgd': () => REPORT,
    ...extra,
  })
  const user = userEvent.setup()
  renderWithApp(<DashboardPage />, fake.api)
  return { fake, user }
}

async function openGraduation(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('issuer-export-menu'))
  await user.click(await screen.findByTestId('export-plgd-item'))
  return screen.findByTestId('graduation-dialog')
}

describe('move to plgd m2m-oauth-server', () => {
  it('asks for confirmation first, then sends the grace period without the private key', async () => {
    const { fake, user } = setup()
    const dialog = await openGraduation(user)
    expect(within(dialog).getByTestId('graduation-confirm').textContent).toContain(
      'Every secret client gets a new secret',
    )
    expect(fake.callsTo('export.plgd')).toEqual([])
    await user.click(within(dialog).getByTestId('graduation-grace-preset-3600'))
    await user.click(within(dialog).getByTestId('graduation-submit'))
    await within(dialog).findByTestId('graduation-report')
    expect(fake.callsTo('export.plgd')).toEqual([{ graceSeconds: 3600, includePrivateKey: false }])
  })

  it('defaults the grace period to one day; cancel calls nothing', async () => {
    const { fake, user } = setup()
    let dialog = await openGraduation(user)
    await user.click(within(dialog).getByText('Cancel'))
    await waitFor(() => expect(screen.queryByTestId('graduation-confirm')).toBeNull())
    expect(fake.callsTo('export.plgd')).toEqual([])
    dialog = await openGraduation(user)
    await user.click(within(dialog).getByTestId('graduation-submit'))
    await within(dialog).findByTestId('graduation-report')
    expect(fake.callsTo('export.plgd')).toEqual([
      { graceSeconds: 86_400, includePrivateKey: false },
    ])
  })

  it('reports each client, marks the secret files and points to the CLI for the key', async () => {
    const { user } = setup()
    const dialog = await openGraduation(user)
    await user.click(within(dialog).getByTestId('graduation-submit'))
    const report = await within(dialog).findByTestId('graduation-report')
    expect(within(report).getByTestId('graduated-dps').textContent).toContain('rotated')
    const svc = within(report).getByTestId('graduated-svc').textContent
    expect(svc).toContain('skipped')
    expect(svc).toContain('private_key_jwt has no plgd equivalent')
    expect(svc).toContain('auth.jwks')
    expect(within(report).getByTestId('graduation-kid').textContent).toContain('same kid')
    const rows = within(report).getAllByTestId('export-file')
    expect(rows.map((r) => r.getAttribute('data-path'))).toEqual([
      'config.yaml',
      'secrets/clients/dps',
    ])
    expect(within(rows[0]!).queryByTestId('export-file-secret')).toBeNull()
    expect(within(rows[1]!).getByTestId('export-file-secret')).toBeTruthy()
    expect(report.textContent).toContain('shown this once')
    expect(within(report).getByTestId('graduation-cli').textContent).toBe(
      'plgd-m2m-console export plgd --out DIR --include-private-key',
    )
    // Secret files are offered for download, never shown.
    expect(report.textContent).not.toContain('fresh-secret')
  })

  it("shows the method's error and stays on the confirmation", async () => {
    const { user } = setup({
      'export.plgd': () => ({
        ok: false,
        error: { code: 'conflict', message: 'graduation is not built yet' },
      }),
    })
    const dialog = await openGraduation(user)
    await user.click(within(dialog).getByTestId('graduation-submit'))
    const toast = await screen.findByTestId('notification-error')
    expect(toast.textContent).toContain('graduation is not built yet')
    expect(within(dialog).getByTestId('graduation-confirm')).toBeTruthy()
  })
})

const CONFIG_YAML = `oauthSigner:
  domain: m2m.example.com
  privateKeyFile: /keys/signing.pem
  ownerClaim: https://plgd.dev/owner
  clients:
    - id: dps
      owner: "1"
      secretFile: /secrets/clients/dps
    - id: inline
      owner: "1"
      secretFile: "data:,inline-secret"
apis:
  grpc:
    tls:
      caPool: /certs/server-ca.pem
`

describe('import from plgd m2m-oauth-server', () => {
  function fileInput(selector: string): HTMLInputElement {
    const input = document.querySelector<HTMLInputElement>(selector)
    if (!input) throw new Error(`no file input ${selector}`)
    return input
  }

  async function openImport(user: ReturnType<typeof userEvent.setup>) {
    await user.click(await screen.findByTestId('issuer-export-menu'))
    await user.click(await screen.findByTestId('import-plgd-item'))
    return screen.findByTestId('import-plgd-dialog')
  }

  it('lists the files main reads in the config, blocks import until each is given, then sends them by reference', async () => {
    const { fake, user } = setup({
      'import.plgdReferences': () => ({
        references: [
          { reference: '/keys/signing.pem', what: 'oauthSigner.privateKeyFile' },
          { reference: '/secrets/clients/dps', what: 'oauthSigner.clients[0].secretFile' },
        ],
      }),
      'import.plgd': ({ files }: ParsedInput<'import.plgd'>) => ({
        clients: [
          { id: 'dps', outcome: 'added' as const },
          { id: 'inline', outcome: 'added' as const },
        ],
        key: { kid: 'plgd-kid', alg: 'ES256', activated: true },
        claims: {
          ownerClaim: 'https://plgd.dev/owner',
          deviceIdClaim: 'https://plgd.dev/deviceId',
        },
        notes: [`read ${Object.keys(files).length} files`],
      }),
    })
    const dialog = await openImport(user)
    await user.upload(
      fileInput('input[accept=".yaml,.yml"]'),
      new File([CONFIG_YAML], 'config.yaml', { type: 'application/yaml' }),
    )
    await within(dialog).findByTestId('import-plgd-references')
    expect(fake.callsTo('import.plgdReferences')).toEqual([{ configYaml: CONFIG_YAML }])
    expect(within(dialog).getByTestId('import-plgd-references').textContent).toContain(
      'oauthSigner.clients[0].secretFile',
    )
    const refs = within(dialog)
      .getAllByTestId('import-plgd-reference')
      .map((r) => r.getAttribute('data-ref'))
    expect(refs).toEqual(['/keys/signing.pem', '/secrets/clients/dps'])
    expect(within(dialog).getAllByTestId('import-plgd-missing')).toHaveLength(2)
    expect((within(dialog).getByTestId('import-plgd-submit') as HTMLButtonElement).disabled).toBe(
      true,
    )

    await user.upload(fileInput('input[type="file"][multiple]'), [
      new File(['-----BEGIN PRIVATE KEY-----\nabc\n'], 'signing.pem'),
    ])
    await waitFor(() =>
      expect(within(dialog).getAllByTestId('import-plgd-missing')).toHaveLength(1),
    )
    expect(within(dialog).getByTestId('import-plgd-missing-count').textContent).toContain('1 file')
    await user.upload(fileInput('input[type="file"][multiple]'), [new File(['s3cret'], 'dps')])
    await waitFor(() => expect(within(dialog).queryByTestId('import-plgd-missing')).toBeNull())
    expect(fake.callsTo('import.plgd')).toEqual([])

    await user.click(within(dialog).getByTestId('import-plgd-activate'))
    await user.click(within(dialog).getByTestId('import-plgd-submit'))
    const report = await within(dialog).findByTestId('import-plgd-report')
    expect(fake.callsTo('import.plgd')).toEqual([
      {
        configYaml: CONFIG_YAML,
        files: {
          '/keys/signing.pem': '-----BEGIN PRIVATE KEY-----\nabc\n',
          '/secrets/clients/dps': 's3cret',
        },
        activate: false,
      },
    ])
    expect(within(report).getByTestId('imported-dps').textContent).toContain('added')
    expect(within(report).getByTestId('import-plgd-key').textContent).toContain('plgd-kid')
    expect(within(report).getByTestId('import-plgd-notes').textContent).toContain('read 2 files')
  })

  it("says what main finds wrong with a config that is not plgd's", async () => {
    const { fake, user } = setup({
      'import.plgdReferences': () => ({
        ok: false as const,
        error: {
          code: 'invalid_input' as const,
          message: 'config.yaml has no oauthSigner block: choose the m2m-oauth-server config',
        },
      }),
    })
    const dialog = await openImport(user)
    await user.upload(
      fileInput('input[accept=".yaml,.yml"]'),
      new File(['apis: {}\n'], 'config.yaml', { type: 'application/yaml' }),
    )
    expect((await within(dialog).findByTestId('import-plgd-problem')).textContent).toContain(
      'no oauthSigner block',
    )
    expect((within(dialog).getByTestId('import-plgd-submit') as HTMLButtonElement).disabled).toBe(
      true,
    )
    expect(fake.callsTo('import.plgd')).toEqual([])
  })
})
