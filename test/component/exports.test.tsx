// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ExportedDocument, ParsedInput } from '../../shared/contract/index'
import { ClientsPage } from '../../renderer/src/features/clients/ClientsPage'
import { DashboardPage } from '../../renderer/src/features/status/DashboardPage'
import { toBase64 } from '../../renderer/src/features/exports/mask'
import {
  blobText,
  captureDownloads,
  clientView,
  exportedDocument,
  fakeConsole,
  renderWithApp,
  statusView,
  type Handlers,
} from './helpers'

const SECRET = 'n3w+s3cret/with=signs'

/** A document that holds the secret in every form a serializer might write it. */
function documentWith(input: ParsedInput<'export.client'>): ExportedDocument {
  const secret = input.secret
  const content = secret
    ? [
        `format: ${input.format}`,
        `clientSecret: ${secret}`,
        `form: client_secret=${encodeURIComponent(secret)}`,
        `data: ${toBase64(secret)}`,
        `basic: ${toBase64(`${input.id}:${secret}`)}`,
      ].join('\n')
    : `format: ${input.format}\nclientSecret: <the secret shown at creation>\n`
  return exportedDocument({
    format: input.format,
    path: `secrets/${input.id}.${input.format}`,
    mediaType: 'application/yaml',
    content,
    containsSecret: Boolean(secret),
    redacted: !secret,
    placeholders: secret ? [] : ['clientSecret'],
    // A note that quotes the secret is masked like the document.
    notes: [`goes to ${input.format}`, ...(secret ? [`the secret ${secret} is inside`] : [])],
  })
}

function setupClients(extra: Handlers = {}) {
  const client = clientView({ id: 'dps' })
  const fake = fakeConsole({
    'status.get': () => statusView(),
    'clients.list': () => [client],
    'clients.get': () => client,
    'clients.rotateSecret': () => ({ client, clientSecret: SECRET }),
    'export.client': documentWith,
    ...extra,
  })
  const user = userEvent.setup()
  renderWithApp(<ClientsPage />, fake.api)
  return { fake, user }
}

let downloads: ReturnType<typeof captureDownloads>
beforeEach(() => {
  downloads = captureDownloads()
})
afterEach(() => downloads.restore())

async function rotateAndOpenExport(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId('rotate-secret-button'))
  await user.click(await screen.findByTestId('rotate-secret-submit'))
  await user.click(await screen.findByTestId('secret-export'))
  return screen.findByTestId('export-dialog')
}

describe('export with the one-time secret', () => {
  beforeEach(() => {
    window.location.hash = '#/clients/dps'
  })

  it('masks every form of the secret in the preview; copy and save hold the real document', async () => {
    const { fake, user } = setupClients()
    const dialog = await rotateAndOpenExport(user)
    const preview = await within(dialog).findByTestId('export-preview')
    const real = documentWith({ id: 'dps', format: 'json', secret: SECRET }).content
    expect(preview.textContent).toContain('clientSecret: ••••')
    expect(preview.textContent).toContain('data: ••••')
    expect(preview.textContent).toContain('basic: ••••')
    for (const form of [SECRET, encodeURIComponent(SECRET), toBase64(SECRET)])
      expect(dialog.textContent).not.toContain(form)
    expect(fake.callsTo('export.client')).toEqual([{ id: 'dps', format: 'json', secret: SECRET }])

    await user.click(within(dialog).getByTestId('export-copy'))
    await waitFor(() =>
      expect(within(dialog).getByTestId('export-copy').textContent).toBe('Copied'),
    )
    expect(await navigator.clipboard.readText()).toBe(real)

    await user.click(within(dialog).getByTestId('export-save'))
    expect(downloads.downloads.map((d) => d.filename)).toEqual(['dps.json'])
    expect(await blobText(downloads.downloads[0]!.blob)).toBe(real)
    expect(downloads.downloads[0]!.blob.type).toBe('application/yaml')
  })

  it('draws a QR code of the real document as SVG rects', async () => {
    const { user } = setupClients()
    const dialog = await rotateAndOpenExport(user)
    await within(dialog).findByTestId('export-preview')
    await user.click(within(dialog).getByTestId('export-tab-qr'))
    const svg = await within(dialog).findByTestId('qr-code')
    expect(svg.querySelectorAll('rect').length).toBeGreaterThan(20)
    expect(svg.querySelector('image, foreignObject')).toBeNull()
    expect(dialog.textContent).toContain('It holds the secret')
    expect(dialog.textContent).not.toContain(SECRET)
  })
})

describe('export from the client detail', () => {
  beforeEach(() => {
    window.location.hash = '#/clients/dps'
  })

  it('is redacted, says why, and sends the chosen format', async () => {
    const { fake, user } = setupClients()
    await user.click(await screen.findByTestId('export-client-button'))
    const dialog = await screen.findByTestId('export-dialog')
    expect(within(dialog).getByTestId('export-redacted-note').textContent).toContain(
      'only when the secret is created or rotated',
    )
    await within(dialog).findByTestId('export-preview')
    await user.click(within(dialog).getByLabelText('DPS (YAML)'))
    await waitFor(() =>
      expect(within(dialog).getByTestId('export-document').getAttribute('data-format')).toBe(
        'dps-yaml',
      ),
    )
    expect(fake.callsTo('export.client')).toEqual([
      { id: 'dps', format: 'json' },
      { id: 'dps', format: 'dps-yaml' },
    ])
    expect(within(dialog).getByTestId('export-redacted').textContent).toBe('redacted: no secret')
    expect(within(dialog).getByTestId('export-placeholders').textContent).toContain('clientSecret')
    expect(within(dialog).getByTestId('export-notes').textContent).toContain('goes to dps-yaml')
  })

  // Arrow keys between radios are checked in Chromium (the e2e): user-event needs CSS.escape.
  it('works from the keyboard: Enter on the format saves, Escape closes', async () => {
    const { fake, user } = setupClients()
    await user.click(await screen.findByTestId('export-client-button'))
    const dialog = await screen.findByTestId('export-dialog')
    await within(dialog).findByTestId('export-preview')
    await user.click(within(dialog).getByLabelText('.env'))
    await waitFor(() =>
      expect(within(dialog).getByTestId('export-document').getAttribute('data-format')).toBe('env'),
    )
    expect(fake.callsTo('export.client').at(-1)).toEqual({ id: 'dps', format: 'env' })
    await user.keyboard('{Enter}')
    expect(downloads.downloads.map((d) => d.filename)).toEqual(['dps.env'])
    await user.keyboard('{Escape}')
    await waitFor(() => expect(screen.queryByTestId('export-dialog')).toBeNull())
  })

  it('refuses a QR code for a payload too large, naming its size and the way out', async () => {
    const big = 'x'.repeat(4000)
    const { user } = setupClients({
      'export.client': ({ format }) => exportedDocument({ format, content: big }),
    })
    await user.click(await screen.findByTestId('export-client-button'))
    const dialog = await screen.findByTestId('export-dialog')
    await within(dialog).findByTestId('export-preview')
    await user.click(within(dialog).getByTestId('export-tab-qr'))
    const refusal = await within(dialog).findByTestId('qr-too-large')
    expect(refusal.textContent).toContain('4,000 bytes')
    expect(refusal.textContent).toContain('Use Save or Copy')
    expect(within(dialog).queryByTestId('qr-code')).toBeNull()
  })

  it("shows the method's error with its message", async () => {
    const { user } = setupClients({
      'export.client': () => ({
        ok: false,
        error: { code: 'conflict', message: 'export is not built yet' },
      }),
    })
    await user.click(await screen.findByTestId('export-client-button'))
    const toast = await screen.findByTestId('notification-error')
    expect(toast.textContent).toContain('export is not built yet')
    expect(await screen.findByTestId('export-failed')).toBeTruthy()
    expect((screen.getByTestId('export-save') as HTMLButtonElement).disabled).toBe(true)
  })
})

describe('dashboard exports', () => {
  function setupDashboard(extra: Handlers = {}) {
    const fake = fakeConsole({
      'status.get': () => statusView(),
      'export.issuer': ({ format }) =>
        exportedDocument({ format, path: `issuer.${format}`, content: `issuer ${format}` }),
      'export.bundle': ({ authority }) => ({
        authority: authority ?? 'https://127.0.0.1:8443/m2m-oauth-server',
        keptUpdatedIn: null,
        notes: ['trust verification (revocation) is off'],
        files: [
          {
            path: '.well-known/openid-configuration',
            mediaType: 'application/json',
            content: '{"issuer":"x"}',
            containsSecret: false,
          },
          {
            path: '.well-known/jwks.json',
            mediaType: 'application/json',
            content: '{"keys":[]}',
            containsSecret: false,
          },
        ],
      }),
      ...extra,
    })
    const user = userEvent.setup()
    renderWithApp(<DashboardPage />, fake.api)
    return { fake, user }
  }

  it("exports the issuer's trust material without client-only formats", async () => {
    const { fake, user } = setupDashboard()
    await user.click(await screen.findByTestId('issuer-export-menu'))
    await user.click(await screen.findByTestId('export-issuer-item'))
    const dialog = await screen.findByTestId('export-dialog')
    expect((await within(dialog).findByTestId('export-preview')).textContent).toBe('issuer json')
    expect(within(dialog).queryByTestId('export-format-dps-yaml')).toBeNull()
    expect(within(dialog).queryByTestId('export-format-coap-gateway-yaml')).toBeNull()
    await user.click(within(dialog).getByLabelText('Helm values'))
    await waitFor(() =>
      expect(within(dialog).getByTestId('export-preview').textContent).toBe('issuer helm-values'),
    )
    expect(fake.callsTo('export.issuer')).toEqual([{ format: 'json' }, { format: 'helm-values' }])
  })

  it('makes the static bundle, says revocation is off and offers each file', async () => {
    const { fake, user } = setupDashboard()
    await user.click(await screen.findByTestId('issuer-export-menu'))
    await user.click(await screen.findByTestId('export-bundle-item'))
    const dialog = await screen.findByTestId('bundle-dialog')
    expect(within(dialog).getByTestId('bundle-revocation-off').textContent).toContain(
      'revoked token is accepted',
    )
    expect(within(dialog).getByTestId('bundle-cli').textContent).toBe(
      'plgd-m2m-console export bundle --out DIR',
    )
    await user.type(within(dialog).getByTestId('bundle-authority'), 'https://auth.example.com/m2m')
    await user.click(within(dialog).getByTestId('bundle-make'))
    const files = await within(dialog).findByTestId('bundle-files')
    expect(fake.callsTo('export.bundle')).toEqual([{ authority: 'https://auth.example.com/m2m' }])
    expect(within(dialog).getByTestId('bundle-notes').textContent).toContain('revocation')
    await user.click(within(files).getByLabelText('Download .well-known/jwks.json'))
    expect(downloads.downloads.map((d) => d.filename)).toEqual(['jwks.json'])
    expect(await blobText(downloads.downloads[0]!.blob)).toBe('{"keys":[]}')
  })
})
