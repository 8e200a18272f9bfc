// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type {
  DeviceView,
  HubView,
  JobItemView,
  JobItemsPage,
  JobView,
} from '../../shared/contract/index'
import { DevicesPage } from '../../renderer/src/features/devices/DevicesPage'
import { fakeConsole, NOW, renderWithApp } from './helpers'

const device = (id: string, status: DeviceView['status'] = 'ONLINE'): DeviceView => ({
  id,
  name: `lamp ${id}`,
  types: ['oic.d.light'],
  status,
  ownershipStatus: 'OWNED',
  endpoints: [],
})

const item = (d: DeviceView, rev: number): JobItemView => ({
  seq: rev,
  key: d.id,
  state: 'done',
  detail: d as unknown as Record<string, unknown>,
  message: null,
  rev,
  updatedAt: NOW,
})

const job = (state: JobView['state'], done: number): JobView => ({
  id: 'list-1',
  kind: 'devices.list',
  hub: 'lab',
  title: 'list devices',
  state,
  counts: { total: done, pending: 0, running: 0, done, failed: 0, timeout: 0, cancelled: 0 },
  createdAt: NOW,
  updatedAt: NOW,
  error: null,
  concurrency: 1,
})

/** A listing that streams: each jobs.items call hands out the next page until the job is done. */
function setup() {
  const pages: JobItemsPage[] = [
    {
      items: [item(device('d1'), 1), item(device('d2', 'OFFLINE'), 2)],
      rev: 2,
      job: job('running', 2),
    },
    { items: [item(device('d3'), 3)], rev: 3, job: job('done', 3) },
  ]
  let release: () => void = () => {}
  const gate = new Promise<void>((r) => (release = r))
  const fake = fakeConsole({
    'hubs.list': () => [{ name: 'lab' } as HubView],
    'devices.list': () => ({ jobId: 'list-1' }),
    'jobs.items': async ({ since }) => {
      // The last page waits for the test: rows seen before it are rows seen while streaming.
      if (since >= 2) await gate
      return since >= 2 ? pages[1]! : pages[0]!
    },
    'devices.resourceLinks': () => [{ href: '/light/1', resourceTypes: ['core.light'] }],
    'devices.remove': () => ({ removed: true }),
    'devices.update': (input) => ({ content: input.content }),
  })
  const user = userEvent.setup()
  renderWithApp(<DevicesPage />, fake.api)
  return { fake, user, release }
}

describe('devices page', () => {
  it('shows rows as they stream in, with status badges, then the rest', async () => {
    const { fake, user, release } = setup()
    await user.click(await screen.findByTestId('devices-list'))
    await waitFor(() => expect(screen.getAllByTestId('device-row')).toHaveLength(2))
    expect(fake.callsTo('devices.list')).toEqual([{ hub: 'lab', types: [] }])
    expect(screen.getByTestId('devices-count').textContent).toBe('2 devices so far')
    const badges = screen.getAllByTestId('device-status').map((b) => b.textContent)
    expect(badges).toEqual(['online', 'offline'])
    // At 1024 px a squeezed badge clipped to "ONL…": it keeps its text's width.
    for (const badge of screen.getAllByTestId('device-status')) {
      expect(badge.style.minWidth).toBe('max-content')
    }

    release()
    await waitFor(() => expect(screen.getAllByTestId('device-row')).toHaveLength(3))
    expect(screen.getByTestId('devices-count').textContent).toBe('3 devices')
    expect(fake.callsTo('jobs.items')).toContainEqual({ id: 'list-1', since: 2, limit: 1000 })
  })

  it('passes the status and type filters', async () => {
    const { fake, user, release } = setup()
    release()
    await user.click(await screen.findByTestId('devices-status'))
    await user.click(await screen.findByRole('option', { name: 'OFFLINE' }))
    await user.type(screen.getByTestId('devices-types'), 'oic.d.light, x.y')
    await user.click(screen.getByTestId('devices-list'))
    await waitFor(() =>
      expect(fake.callsTo('devices.list')).toEqual([
        { hub: 'lab', status: 'OFFLINE', types: ['oic.d.light', 'x.y'] },
      ]),
    )
  })

  it('shows resource links, updates one, and removes a device after confirmation', async () => {
    const { fake, user, release } = setup()
    release()
    await user.click(await screen.findByTestId('devices-list'))
    await waitFor(() => expect(screen.getAllByTestId('device-row')).toHaveLength(3))
    const first = screen.getAllByTestId('device-row')[0]!
    await user.click(within(first).getByTestId('device-links'))
    const links = await screen.findByTestId('resource-links')
    expect(within(links).getByText('/light/1')).toBeTruthy()

    await user.click(within(links).getByRole('button', { name: 'Update' }))
    const dialog = await screen.findByTestId('update-resource-dialog')
    expect((within(dialog).getByTestId('update-href') as HTMLInputElement).value).toBe('/light/1')
    const json = within(dialog).getByTestId('update-json')
    await user.clear(json)
    await user.type(json, '{{"power": 5}')
    await user.click(within(dialog).getByTestId('update-submit'))
    expect(await within(dialog).findByTestId('update-answer')).toBeTruthy()
    expect(fake.callsTo('devices.update')).toEqual([
      { hub: 'lab', deviceId: 'd1', href: '/light/1', content: { power: 5 } },
    ])
    await user.keyboard('{Escape}')

    await user.click(within(screen.getAllByTestId('device-row')[1]!).getByTestId('device-remove'))
    const confirm = await screen.findByTestId('remove-device-dialog')
    expect(within(confirm).getByText(/onboarded again/)).toBeTruthy()
    await user.click(within(confirm).getByRole('button', { name: 'Remove' }))
    await waitFor(() => expect(screen.getAllByTestId('device-row')).toHaveLength(2))
    expect(fake.callsTo('devices.remove')).toEqual([{ hub: 'lab', deviceId: 'd2' }])
  })

  it('shows why a listing could not start', async () => {
    const fake = fakeConsole({
      'hubs.list': () => [{ name: 'lab' } as HubView],
      'devices.list': () => ({
        ok: false,
        error: { code: 'not_found', message: 'no hub profile lab: see `hubs list`' },
      }),
    })
    const user = userEvent.setup()
    renderWithApp(<DevicesPage />, fake.api)
    await user.click(await screen.findByTestId('devices-list'))
    expect((await screen.findByTestId('devices-failed')).textContent).toMatch(/hubs list/)
  })
})
