// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CreatedBackup } from '../../shared/contract/index'
import { SettingsPage } from '../../renderer/src/features/settings/SettingsPage'
import {
  blobBytes,
  captureDownloads,
  fakeConsole,
  NOW,
  renderWithApp,
  statusView,
  type Handlers,
} from './helpers'

const BYTES = [0, 1, 2, 250, 251, 255, 128]
const BACKUP: CreatedBackup = {
  filename: 'plgd-m2m-console-2026-12-02.backup',
  dataBase64: btoa(String.fromCharCode(...BYTES)),
  bytes: BYTES.length,
  summary: {
    formatVersion: 1,
    createdAt: NOW,
    clients: 3,
    keys: 2,
    hubs: 1,
    tokens: 42,
    auditEntries: 17,
  },
}

function setup(extra: Handlers = {}) {
  const fake = fakeConsole({
    'status.get': () => statusView(),
    'backup.create': () => BACKUP,
    ...extra,
  })
  const user = userEvent.setup()
  renderWithApp(<SettingsPage />, fake.api)
  return { fake, user }
}

let downloads: ReturnType<typeof captureDownloads>
beforeEach(() => {
  downloads = captureDownloads()
})
afterEach(() => downloads.restore())

async function fill(user: ReturnType<typeof userEvent.setup>, passphrase: string, again: string) {
  const section = await screen.findByTestId('backup-section')
  await user.type(within(section).getByTestId('backup-passphrase'), passphrase)
  await user.type(within(section).getByTestId('backup-confirm'), again)
  await user.click(within(section).getByTestId('backup-create'))
  return section
}

describe('backup', () => {
  it('blocks a mismatched confirmation before calling main', async () => {
    const { fake, user } = setup()
    const section = await fill(user, 'correct horse battery', 'correct horse batterz')
    expect(await within(section).findByText('the two passphrases differ')).toBeTruthy()
    expect(fake.callsTo('backup.create')).toEqual([])
  })

  it('refuses a passphrase shorter than the minimum', async () => {
    const { fake, user } = setup()
    const section = await fill(user, 'short', 'short')
    expect(await within(section).findByText(/at least 12 characters/)).toBeTruthy()
    expect(fake.callsTo('backup.create')).toEqual([])
  })

  it('creates the backup, saves its bytes and shows what it holds', async () => {
    const { fake, user } = setup()
    const section = await fill(user, 'correct horse battery', 'correct horse battery')
    const summary = await within(section).findByTestId('backup-summary')
    expect(fake.callsTo('backup.create')).toEqual([{ passphrase: 'correct horse battery' }])
    expect(downloads.downloads.map((d) => d.filename)).toEqual([BACKUP.filename])
    expect([...(await blobBytes(downloads.downloads[0]!.blob))]).toEqual(BYTES)
    expect(within(summary).getByTestId('backup-count-clients').textContent).toBe('3')
    expect(within(summary).getByTestId('backup-count-tokens').textContent).toBe('42')
    expect(within(summary).getByTestId('backup-count-auditEntries').textContent).toBe('17')
    // The passphrase does not stay in the form.
    await waitFor(() =>
      expect((within(section).getByTestId('backup-passphrase') as HTMLInputElement).value).toBe(''),
    )
    expect(within(section).getByTestId('backup-restore-command').textContent).toBe(
      'plgd-m2m-console backup restore FILE --data-dir DIR',
    )
  })

  it("shows the method's error with its message", async () => {
    const { user } = setup({
      'backup.create': () => ({
        ok: false,
        error: { code: 'conflict', message: 'backup is not built yet' },
      }),
    })
    await fill(user, 'correct horse battery', 'correct horse battery')
    const toast = await screen.findByTestId('notification-error')
    expect(toast.textContent).toContain('backup is not built yet')
    expect(downloads.downloads).toEqual([])
  })
})
