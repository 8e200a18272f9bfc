// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { ConfigurationView, HubView, JobView } from '../../shared/contract/index'
import { ApplyDialog } from '../../renderer/src/features/configs/ApplyDialog'
import { ConfigsPage } from '../../renderer/src/features/configs/ConfigsPage'
import { CreateConditionDialog } from '../../renderer/src/features/configs/CreateConditionDialog'
import { CreateConfigDialog } from '../../renderer/src/features/configs/CreateConfigDialog'
import { parseDeviceIds } from '../../renderer/src/lib/device-ids'
import { clientView, fakeConsole, NOW, renderWithApp, statusView } from './helpers'

const CONFIG = '0b8f3c9e-4e1a-4c4e-9a53-8d1f0f1f2a3b'

function jobView(overrides: Partial<JobView> = {}): JobView {
  return {
    id: 'job-1',
    kind: 'configs.apply',
    hub: 'lab',
    title: 'apply configuration 0b8f3c9e to 3 devices',
    state: 'running',
    counts: { total: 3, pending: 1, running: 1, done: 1, failed: 0, timeout: 0, cancelled: 0 },
    createdAt: NOW,
    updatedAt: NOW,
    error: null,
    concurrency: 2,
    ...overrides,
  }
}

describe('device ids from text or a file', () => {
  it.each([
    ['a\nb, c\n\nb', ['a', 'b', 'c']],
    ['deviceId,name\nd1,lamp\n"d2",other', ['d1', 'd2']],
    ['name,deviceId\nlamp,d1\nother,d2', ['d1', 'd2']],
    ['["x","y","x"]', ['x', 'y']],
    ['[{"id":"x"},{"deviceId":"y"}]', ['x', 'y']],
  ])('%j → %j', (text, ids) => {
    expect(parseDeviceIds(text)).toEqual({ ids, error: null })
  })

  it('says what is wrong with a JSON list', () => {
    expect(parseDeviceIds('[1').error).toBe('not valid JSON')
    expect(parseDeviceIds('[{"name":"x"}]').error).toMatch(/each entry needs an id/)
  })
})

describe('apply dialog', () => {
  function setup() {
    let job = jobView()
    const fake = fakeConsole({
      'configs.apply': () => ({ jobId: 'job-1' }),
      'jobs.get': () => job,
      'jobs.cancel': () => {
        job = jobView({ state: 'cancelled' })
        return job
      },
    })
    const user = userEvent.setup()
    renderWithApp(
      <ApplyDialog hub="lab" config={{ id: CONFIG, name: 'light-42' }} opened onClose={() => {}} />,
      fake.api,
    )
    return { fake, user }
  }

  it('refuses an empty device list at the field and starts nothing', async () => {
    const { fake, user } = setup()
    await user.click(await screen.findByTestId('apply-submit'))
    expect(await screen.findByText('give at least one device id')).toBeTruthy()
    expect(fake.callsTo('configs.apply')).toHaveLength(0)
  })

  it('applies to pasted and loaded ids, then shows the progress with cancel', async () => {
    const { fake, user } = setup()
    await user.type(await screen.findByTestId('apply-device-ids'), 'd1, d2')
    const input = document.querySelector<HTMLInputElement>('input[type=file]')!
    await user.upload(input, new File(['deviceId\nd3\nd2\n'], 'devices.csv', { type: 'text/csv' }))
    // A loaded file replaces the text: its ids are what gets applied.
    await waitFor(() =>
      expect(screen.getByTestId('apply-device-count').textContent).toBe('2 devices'),
    )
    await user.type(screen.getByTestId('apply-concurrency'), '2')
    await user.click(screen.getByTestId('apply-force'))
    await user.click(screen.getByTestId('apply-submit'))

    await waitFor(() =>
      expect(fake.callsTo('configs.apply')).toEqual([
        {
          hub: 'lab',
          configId: CONFIG,
          deviceIds: ['d3', 'd2'],
          force: true,
          concurrency: 2,
          timeoutSeconds: 300,
        },
      ]),
    )
    const progress = await screen.findByTestId('job-progress')
    expect(within(progress).getByTestId('job-progress-state').textContent).toBe('running')
    await user.click(within(progress).getByTestId('job-progress-cancel'))
    await waitFor(() => expect(fake.callsTo('jobs.cancel')).toEqual([{ id: 'job-1' }]))
  })
})

describe('create configuration', () => {
  it('shows JSON errors at the row and sends the parsed content', async () => {
    const fake = fakeConsole({
      'configs.create': () => ({ configuration: { id: CONFIG, version: 0 } }),
    })
    const user = userEvent.setup()
    renderWithApp(<CreateConfigDialog hub="lab" opened onClose={() => {}} />, fake.api)
    await user.type(await screen.findByTestId('config-name'), 'light-42')
    await user.type(screen.getByTestId('config-href-0'), 'light')
    const json = screen.getByTestId('config-json-0')
    await user.clear(json)
    await user.type(json, '{{"power": ')
    await user.click(screen.getByTestId('config-create-submit'))
    const row = screen.getByTestId('config-row-0')
    expect(await within(row).findByText('not valid JSON')).toBeTruthy()
    expect(within(row).getByText(/starts with \//)).toBeTruthy()
    expect(fake.callsTo('configs.create')).toHaveLength(0)

    await user.clear(screen.getByTestId('config-href-0'))
    await user.type(screen.getByTestId('config-href-0'), '/light/1')
    await user.type(json, '42}')
    await user.type(screen.getByTestId('config-ttl'), '60')
    await user.click(screen.getByTestId('config-create-submit'))
    await waitFor(() =>
      expect(fake.callsTo('configs.create')).toEqual([
        {
          hub: 'lab',
          name: 'light-42',
          resources: [{ href: '/light/1', content: { power: 42 }, timeToLiveSeconds: 60 }],
        },
      ]),
    )
  })
})

describe('create condition', () => {
  const config: ConfigurationView = {
    id: CONFIG,
    version: 0,
    name: 'light-42',
    owner: '1',
    timestamp: NOW,
    resources: [],
  }

  it("warns about the in-clear token, shows the client's cap and sends an explicit lifetime", async () => {
    const fake = fakeConsole({
      'clients.list': () => [clientView({ id: 'snippets', maxLifetimeSeconds: 86_400 })],
      'status.get': () =>
        statusView({ settings: { ...statusView().settings, maxLifetimeSeconds: 30 * 86_400 } }),
      'conditions.create': (input) => ({
        condition: {
          id: 'k1',
          version: 0,
          name: input.name,
          enabled: true,
          configurationId: input.configId,
          deviceIds: [],
          resourceTypes: input.resourceTypes,
          hrefs: [],
          jq: '',
          tokenJti: 'jti-9',
          tokenExpiresAt: NOW + 86_400,
        },
        tokenJti: 'jti-9',
      }),
    })
    const user = userEvent.setup()
    renderWithApp(
      <CreateConditionDialog
        hub="lab"
        configs={[config]}
        defaultConfigId={CONFIG}
        opened
        onClose={() => {}}
      />,
      fake.api,
    )
    const form = await screen.findByTestId('create-condition-form')
    expect(within(form).getByTestId('in-clear-warning')).toBeTruthy()
    await user.type(within(form).getByTestId('condition-name'), 'lights')
    await user.click(within(form).getByTestId('condition-client'))
    await user.click(await screen.findByRole('option', { name: /snippets/ }))
    expect(await within(form).findByText('Max client snippets: 1 d · issuer: 30 d')).toBeTruthy()
    // 7 days is beyond this client's cap: its preset is disabled.
    expect(
      within(form).getByTestId('condition-lifetime-preset-604800').hasAttribute('disabled'),
    ).toBe(true)

    await user.click(within(form).getByTestId('condition-create-submit'))
    expect(await within(form).findByText("choose the token's lifetime")).toBeTruthy()
    await user.type(within(form).getByTestId('condition-lifetime'), '999999s')
    await user.click(within(form).getByTestId('condition-create-submit'))
    expect(await within(form).findByText('at most 86400 s for client snippets')).toBeTruthy()
    expect(fake.callsTo('conditions.create')).toHaveLength(0)

    await user.click(within(form).getByTestId('condition-lifetime-preset-86400'))
    await user.click(within(form).getByTestId('condition-create-submit'))
    await waitFor(() =>
      expect(fake.callsTo('conditions.create')).toEqual([
        expect.objectContaining({
          hub: 'lab',
          configId: CONFIG,
          name: 'lights',
          clientId: 'snippets',
          tokenLifetimeSeconds: 86_400,
        }),
      ]),
    )
    const created = await screen.findByTestId('condition-created')
    expect(within(created).getByText('jti-9')).toBeTruthy()
    expect(within(created).getByTestId('in-clear-warning')).toBeTruthy()
  })
})

describe('pre-configuration page', () => {
  it("lists a hub's configurations and conditions and revokes a condition's token", async () => {
    const fake = fakeConsole({
      'hubs.list': () => [{ name: 'lab' } as HubView],
      'configs.list': () => [
        {
          id: CONFIG,
          version: 1,
          name: 'light-42',
          owner: '1',
          timestamp: NOW,
          resources: [
            {
              href: '/light/1',
              content: { power: 42 },
              contentType: 'application/json',
              timeToLiveSeconds: 60,
            },
          ],
        },
      ],
      'conditions.list': () => [
        {
          id: 'k1',
          version: 0,
          name: 'lights',
          enabled: true,
          configurationId: CONFIG,
          deviceIds: [],
          resourceTypes: ['core.light'],
          hrefs: [],
          jq: '',
          tokenJti: 'jti-9',
          tokenExpiresAt: NOW + 3600,
        },
      ],
      'tokens.revoke': () => ({ blacklistedCount: 1 }),
    })
    const user = userEvent.setup()
    renderWithApp(<ConfigsPage />, fake.api)
    const row = await screen.findByTestId('config-row')
    expect(within(row).getByText('/light/1')).toBeTruthy()
    const conditions = await screen.findByTestId('conditions-table')
    expect(within(conditions).getByText('types core.light')).toBeTruthy()
    await user.click(within(conditions).getByTestId('condition-revoke'))
    const confirm = await screen.findByTestId('revoke-condition-token')
    await user.click(within(confirm).getByRole('button', { name: 'Revoke' }))
    await waitFor(() => expect(fake.callsTo('tokens.revoke')).toEqual([{ ids: ['jti-9'] }]))
    expect(fake.callsTo('configs.list')).toEqual([{ hub: 'lab' }])
  })
})
