// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type {
  HubView,
  JobCounts,
  JobItemView,
  JobKind,
  JobView,
  LocalDeviceView,
  LocalStatus,
} from '../../shared/contract/index'
import { useAppEvents } from '../../renderer/src/api/events'
import { LocalPage } from '../../renderer/src/features/local/LocalPage'
import {
  clientView,
  fakeConsole,
  localStatusView,
  NOW,
  renderWithApp,
  statusView,
  type Handlers,
} from './helpers'

function Page() {
  useAppEvents()
  return <LocalPage />
}

const device = (n: number, ownership: LocalDeviceView['ownershipStatus'] = 'UNOWNED') => ({
  id: `dev-${n}`,
  name: `lamp ${n}`,
  types: ['oic.d.light', 'oic.wk.d'],
  ownershipStatus: ownership,
  endpoints: [`coap://192.168.1.${n}:5683`],
  manufacturer: 'ACME',
  model: null,
})

function countsOf(items: JobItemView[]): JobCounts {
  const c = { pending: 0, running: 0, done: 0, failed: 0, timeout: 0, cancelled: 0, total: 0 }
  for (const i of items) {
    c[i.state] += 1
    c.total += 1
  }
  return c
}

/** Jobs as the store keeps them: items changed by rev, read with `since`. */
function jobStore() {
  let rev = 0
  const jobs = new Map<string, { view: JobView; items: JobItemView[] }>()
  const view = (id: string): JobView => {
    const j = jobs.get(id)!
    return { ...j.view, counts: countsOf(j.items) }
  }
  return {
    create(id: string, kind: JobKind, state: JobView['state'] = 'running') {
      jobs.set(id, {
        view: {
          id,
          kind,
          hub: '',
          title: `${kind} job`,
          state,
          counts: countsOf([]),
          createdAt: NOW,
          updatedAt: NOW,
          error: null,
          concurrency: 4,
        },
        items: [],
      })
    },
    put(id: string, key: string, patch: Partial<JobItemView>) {
      const j = jobs.get(id)!
      const existing = j.items.find((i) => i.key === key)
      const item: JobItemView = {
        seq: existing?.seq ?? j.items.length + 1,
        key,
        state: 'pending',
        detail: {},
        message: null,
        updatedAt: NOW,
        ...existing,
        ...patch,
        rev: ++rev,
      }
      j.items = [...j.items.filter((i) => i.key !== key), item]
    },
    setState(id: string, state: JobView['state']) {
      jobs.get(id)!.view.state = state
      rev++
    },
    handlers: {
      'jobs.get': ({ id }) => view(id),
      'jobs.items': ({ id, since, limit }) => {
        const page = jobs
          .get(id)!
          .items.filter((i) => i.rev > since)
          .sort((a, b) => a.rev - b.rev)
          .slice(0, limit)
        return { items: page, rev: page.at(-1)?.rev ?? since, job: view(id) }
      },
      'jobs.cancel': ({ id }) => {
        jobs.get(id)!.view.state = 'cancelled'
        return view(id)
      },
      'jobs.resume': ({ id }) => {
        jobs.get(id)!.view.state = 'running'
        return view(id)
      },
      'jobs.report': () => ({ csv: 'key,state\r\n', rows: 0 }),
    } satisfies Handlers,
  }
}

function setup(more: Handlers = {}, status: LocalStatus = localStatusView(), store = jobStore()) {
  const fake = fakeConsole({
    'status.get': () => statusView(),
    'local.status': () => status,
    'clients.list': () => [
      clientView({ id: 'console', owner: 'owner-1', maxLifetimeSeconds: 7200 }),
    ],
    'hubs.list': () => [{ name: 'lab' } as HubView],
    ...store.handlers,
    ...more,
  })
  const user = userEvent.setup()
  renderWithApp(<Page />, fake.api)
  return { fake, user, store }
}

/** A discovery whose devices answer one by one, as the test says. */
function discoveringSetup(more: Handlers = {}) {
  const store = jobStore()
  const s = setup(
    {
      'local.discover': () => {
        store.create('disc-1', 'local.discover')
        return { jobId: 'disc-1' }
      },
      ...more,
    },
    localStatusView(),
    store,
  )
  const answer = (n: number) =>
    store.put('disc-1', `dev-${n}`, { state: 'done', detail: device(n) })
  return { ...s, answer }
}

const rows = () => screen.queryAllByTestId('local-device-row')

// Discovery polls every 300 ms and the machine is shared: more than the default 5 s.
describe('Bench: discovery and the selection', { timeout: 30_000 }, () => {
  it('sends the discovery input and shows rows as devices answer', async () => {
    const { fake, user, store, answer } = discoveringSetup()
    await user.type(await screen.findByTestId('local-discover-ips'), '192.168.1.7 10.0.0.9:5683')
    await user.click(screen.getByTestId('local-discover-ipv6'))
    await user.type(screen.getByTestId('local-discover-timeout'), '2.5')
    await user.click(screen.getByTestId('local-discover-start'))
    await waitFor(() =>
      expect(fake.callsTo('local.discover')).toEqual([
        {
          ips: ['192.168.1.7', '10.0.0.9:5683'],
          multicast: ['IPV4', 'IPV6'],
          types: [],
          timeoutSeconds: 2.5,
        },
      ]),
    )
    await screen.findByTestId('local-discover-cancel')
    expect(rows()).toHaveLength(0)

    answer(1)
    await waitFor(() => expect(rows()).toHaveLength(1))
    expect(screen.getByTestId('local-discover-count').textContent).toBe('1 device so far')
    expect(rows()[0]!.textContent).toContain('lamp 1')
    expect(rows()[0]!.textContent).toContain('coap://192.168.1.1:5683')
    expect(within(rows()[0]!).getByTestId('local-device-ownership').textContent).toBe('unowned')

    answer(2)
    answer(3)
    await waitFor(() => expect(rows()).toHaveLength(3))
    store.setState('disc-1', 'done')
    await waitFor(() =>
      expect(screen.getByTestId('local-discover-count').textContent).toBe('3 devices found'),
    )
    expect(screen.queryByTestId('local-discover-cancel')).toBeNull()
    // Read by rev: later pages ask only for what changed.
    expect(fake.callsTo('jobs.items').some((i) => (i as { since: number }).since > 0)).toBe(true)
  })

  it('an empty discovery says what to try', async () => {
    const { user, store } = discoveringSetup()
    await user.click(await screen.findByTestId('local-discover-start'))
    await screen.findByTestId('local-discover-cancel')
    store.setState('disc-1', 'done')
    const empty = await screen.findByTestId('local-discover-empty')
    expect(empty.textContent).toContain('another address')
    expect(empty.textContent).toContain('longer timeout')
    expect(empty.textContent).toContain('powered and on the same network')
  })

  it('no address and no multicast: says so instead of calling', async () => {
    const { fake, user } = discoveringSetup()
    await user.click(await screen.findByTestId('local-discover-ipv4'))
    await user.click(screen.getByTestId('local-discover-start'))
    expect(await screen.findByText(/turn on multicast/)).toBeTruthy()
    expect(fake.callsTo('local.discover')).toEqual([])
  })

  it('actions say why they are disabled; own the selection, rows read owned', async () => {
    const { fake, user, store, answer } = discoveringSetup({
      'local.own': ({ deviceIds }) => {
        store.create('own-1', 'local.own')
        for (const id of deviceIds) store.put('own-1', id, { state: 'running' })
        return { jobId: 'own-1' }
      },
    })
    await user.click(await screen.findByTestId('local-discover-start'))
    for (const n of [1, 2, 3]) answer(n)
    await waitFor(() => expect(rows()).toHaveLength(3))
    expect(screen.getByTestId('local-own').hasAttribute('disabled')).toBe(true)
    expect(screen.getByTestId('local-actions-why').textContent).toBe('Select devices first.')

    await user.click(screen.getByTestId('local-select-all'))
    expect(screen.getByTestId('local-selected-count').textContent).toBe('3 of 3 selected')
    await user.click(screen.getByTestId('local-select-none'))
    expect(screen.getByTestId('local-selected-count').textContent).toBe('0 of 3 selected')
    // By keyboard: Tab to a row's checkbox, Space toggles it.
    within(rows()[0]!).getByTestId('local-device-select').focus()
    await user.keyboard(' ')
    await user.click(within(rows()[2]!).getByTestId('local-device-select'))
    expect(screen.getByTestId('local-selected-count').textContent).toBe('2 of 3 selected')
    expect(screen.queryByTestId('local-actions-why')).toBeNull()

    await user.click(screen.getByTestId('local-own'))
    await waitFor(() =>
      expect(fake.callsTo('local.own')).toEqual([{ deviceIds: ['dev-1', 'dev-3'] }]),
    )
    const panel = await screen.findByTestId('local-bench-job')
    expect(panel.getAttribute('data-kind')).toBe('local.own')
    act(() => {
      store.put('own-1', 'dev-1', { state: 'done' })
      store.put('own-1', 'dev-3', { state: 'done' })
      store.setState('own-1', 'done')
      fake.emit({
        type: 'job.changed',
        data: { id: 'own-1', state: 'done', counts: countsOf([]) },
      })
    })
    await waitFor(() =>
      expect(
        rows().map((r) => within(r).getByTestId('local-device-ownership').textContent),
      ).toEqual(['owned', 'unowned', 'owned']),
    )
  })

  it('not initialised: discovery and actions say to initialise first', async () => {
    setup(
      {},
      localStatusView({
        initialized: false,
        owner: null,
        ours: null,
        problems: [{ problem: 'not_initialized', message: 'initialise it' }],
      }),
    )
    await waitFor(() =>
      expect(screen.getByTestId('local-discover-blocked').textContent).toBe(
        'Initialise the client-application first.',
      ),
    )
    expect(screen.getByTestId('local-discover-start').hasAttribute('disabled')).toBe(true)
  })
})

describe('Bench: onboarding the selection', { timeout: 30_000 }, () => {
  async function selectTwo() {
    const s = discoveringSetup({
      'local.onboard': ({ deviceIds }) => {
        s.store.create('onb-1', 'local.onboard')
        for (const id of deviceIds) s.store.put('onb-1', id, { state: 'running' })
        return { jobId: 'onb-1' }
      },
    })
    await s.user.click(await screen.findByTestId('local-discover-start'))
    for (const n of [1, 2, 3]) s.answer(n)
    await waitFor(() => expect(rows()).toHaveLength(3))
    await s.user.click(within(rows()[1]!).getByTestId('local-device-select'))
    await s.user.click(within(rows()[2]!).getByTestId('local-device-select'))
    return s
  }

  it('the onboard dialog explains the token, bounds its lifetime and sends local.onboard', async () => {
    const { fake, user } = await selectTwo()
    await user.click(screen.getByTestId('local-onboard'))
    const dialog = await screen.findByTestId('local-onboard-dialog')
    expect(within(dialog).getByTestId('local-onboard-explain').textContent).toMatch(
      /token this issuer mints for the chosen client with the client-application's owner/,
    )
    expect((within(dialog).getByTestId('local-onboard-provider') as HTMLInputElement).value).toBe(
      'plgd.dps',
    )

    // Without a client: refused here, nothing sent.
    await user.click(within(dialog).getByTestId('local-onboard-submit'))
    expect(await within(dialog).findByText(/choose the client coap-gateway/)).toBeTruthy()

    await user.click(within(dialog).getByTestId('local-onboard-client'))
    await user.click(await screen.findByRole('option', { name: 'console (owner owner-1)' }))
    // The client allows 2 hours: the bound shown and enforced is its.
    const lifetime = within(dialog).getByTestId('local-onboard-lifetime')
    await waitFor(() => expect(lifetime.getAttribute('data-max')).toBe('7200'))
    // 1 h by default, shown as 1 with the unit h: a duration with its own unit overrides it.
    expect(
      (within(dialog).getByTestId('local-onboard-lifetime-unit') as HTMLSelectElement).value,
    ).toBe('h')
    await user.clear(lifetime)
    await user.type(lifetime, '9000s')
    await user.click(within(dialog).getByTestId('local-onboard-submit'))
    // The description says "At most"; only the field's error says "at most".
    await waitFor(() => expect(dialog.textContent).toMatch(/at most 7200 s .* for console/))
    expect(fake.callsTo('local.onboard')).toEqual([])

    await user.clear(lifetime)
    await user.type(lifetime, '30m')
    await user.click(within(dialog).getByTestId('local-onboard-submit'))
    await waitFor(() =>
      expect(fake.callsTo('local.onboard')).toEqual([
        {
          deviceIds: ['dev-2', 'dev-3'],
          hub: 'lab',
          clientId: 'console',
          providerName: 'plgd.dps',
          tokenLifetimeSeconds: 1800,
          timeoutSeconds: 120,
        },
      ]),
    )
    await waitFor(() => expect(screen.queryByTestId('local-onboard-dialog')).toBeNull())
    await screen.findByTestId('local-job-item-dev-2')
  })

  it('a failed device shows where and why, and the provider YAML to copy; Resume is offered', async () => {
    const { fake, store } = await selectTwo()
    const { user } = { user: userEvent.setup() }
    await user.click(screen.getByTestId('local-onboard'))
    const dialog = await screen.findByTestId('local-onboard-dialog')
    await user.click(within(dialog).getByTestId('local-onboard-client'))
    await user.click(await screen.findByRole('option', { name: 'console (owner owner-1)' }))
    await user.click(within(dialog).getByTestId('local-onboard-submit'))
    await screen.findByTestId('local-bench-job')
    const snippet =
      'apis:\n  coap:\n    authorization:\n      providers:\n        - name: plgd.dps\n          authority: https://127.0.0.1:8443/m2m-oauth-server\n'
    act(() => {
      store.put('onb-1', 'dev-2', {
        state: 'done',
        detail: { deviceStatus: 'REGISTERED', token: { jti: 'jti-2', expiresAt: NOW + 3600 } },
      })
      store.put('onb-1', 'dev-3', {
        state: 'failed',
        message:
          'coap-gateway refused the token: its provider plgd.dps does not trust this issuer; add the provider below to coap-gateway',
        detail: { deviceStatus: 'FAILED', failedAt: 'token', snippet },
      })
      store.setState('onb-1', 'failed')
      fake.emit({
        type: 'job.changed',
        data: { id: 'onb-1', state: 'failed', counts: countsOf([]) },
      })
    })
    const failed = await screen.findByTestId('local-job-item-dev-3-more')
    await waitFor(() =>
      expect(within(failed).getByTestId('local-job-item-message').textContent).toContain(
        'does not trust this issuer',
      ),
    )
    expect(failed.textContent).toContain('at token')
    const block = within(failed).getByTestId('local-job-item-snippet')
    expect(block.querySelector('pre, code')?.textContent).toBe(snippet)
    expect(within(block).getByRole('button', { name: 'Copy the snippet for dev-3' })).toBeTruthy()
    expect(
      within(screen.getByTestId('local-job-item-dev-2')).getByTestId('local-job-item-device-status')
        .textContent,
    ).toBe('REGISTERED')
    expect(screen.getByTestId('local-job-item-dev-2').textContent).toContain('jti-2')
    expect(screen.getByTestId('local-job-item-dev-3').getAttribute('data-state')).toBe('failed')

    await user.click(await screen.findByTestId('local-job-resume'))
    await waitFor(() => expect(fake.callsTo('jobs.resume')).toEqual([{ id: 'onb-1' }]))
  })

  it('point at DPS: each device shows its status and the DPS steps side by side', async () => {
    const s = discoveringSetup({
      'local.pointAtDps': ({ deviceIds }) => {
        s.store.create('dps-1', 'local.pointAtDps')
        for (const id of deviceIds) s.store.put('dps-1', id, { state: 'running' })
        return { jobId: 'dps-1' }
      },
    })
    await s.user.click(await screen.findByTestId('local-discover-start'))
    s.answer(1)
    await waitFor(() => expect(rows()).toHaveLength(1))
    await s.user.click(screen.getByTestId('local-select-all'))
    await s.user.click(screen.getByTestId('local-point'))
    const dialog = await screen.findByTestId('local-point-dialog')
    await waitFor(() =>
      expect((within(dialog).getByTestId('hub-select') as HTMLInputElement).value).toBe('lab'),
    )
    await s.user.click(within(dialog).getByTestId('local-point-submit'))
    await screen.findByTestId('local-bench-job')
    const step = (name: string, state: string) => ({
      step: name,
      state,
      coapCode: null,
      message: null,
    })
    act(() => {
      s.store.put('dps-1', 'dev-1', {
        state: 'failed',
        message: 'DPS refused the device: no enrollment group matches its certificate; add one',
        detail: {
          deviceStatus: 'provisioning credentials',
          dpsSteps: [step('ownership', 'done'), step('credentials', 'failed')],
          failedAt: 'dps',
        },
      })
      s.store.setState('dps-1', 'failed')
      s.fake.emit({
        type: 'job.changed',
        data: { id: 'dps-1', state: 'failed', counts: countsOf([]) },
      })
    })
    const item = screen.getByTestId('local-job-items')
    await waitFor(() => expect(within(item).getByLabelText('credentials: failed')).toBeTruthy())
    expect(within(item).getByLabelText('ownership: done')).toBeTruthy()
    expect(within(item).getByText('DPS steps')).toBeTruthy()
    expect(within(item).getByTestId('local-job-item-device-status').textContent).toBe(
      'provisioning credentials',
    )
    expect(within(item).getByTestId('local-job-item-message').textContent).toContain(
      'no enrollment group matches',
    )
    expect(item.textContent).toContain('at dps')
  })

  it('a call that fails shows its message in the dialog', async () => {
    const s = discoveringSetup({
      'local.pointAtDps': () => ({
        ok: false,
        error: {
          code: 'not_found',
          message: 'hub lab has no DPS address: run `dps setup --hub lab` first',
        },
      }),
    })
    await s.user.click(await screen.findByTestId('local-discover-start'))
    s.answer(1)
    await waitFor(() => expect(rows()).toHaveLength(1))
    await s.user.click(screen.getByTestId('local-select-all'))
    await s.user.click(screen.getByTestId('local-point'))
    const dialog = await screen.findByTestId('local-point-dialog')
    await waitFor(() =>
      expect((within(dialog).getByTestId('hub-select') as HTMLInputElement).value).toBe('lab'),
    )
    await s.user.click(within(dialog).getByTestId('local-point-submit'))
    expect((await within(dialog).findByTestId('local-point-failed')).textContent).toContain(
      'run `dps setup --hub lab` first',
    )
    expect(s.fake.callsTo('local.pointAtDps')).toEqual([
      { deviceIds: ['dev-1'], hub: 'lab', timeoutSeconds: 600 },
    ])
  })
})
