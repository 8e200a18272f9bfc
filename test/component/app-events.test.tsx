// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EVENT_REFRESH_DELAY_MS, useAppEvents } from '../../renderer/src/api/events'
import { queryKeys } from '../../renderer/src/api/query-keys'
import { fakeConsole, renderWithApp } from './helpers'

function Listener() {
  useAppEvents()
  return null
}

function setup() {
  const fake = fakeConsole({})
  const view = renderWithApp(<Listener />, fake.api)
  const invalidate = vi.spyOn(view.queryClient, 'invalidateQueries').mockResolvedValue()
  const refreshed = () => invalidate.mock.calls.map(([filters]) => filters?.queryKey)
  return { fake, view, invalidate, refreshed }
}

const issued = { type: 'token.issued', data: { jti: 'j', clientId: 'dps', expiresAt: 1 } } as const

describe('useAppEvents', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('gathers a burst of events into one refresh of each view it touches', () => {
    const { fake, refreshed } = setup()
    for (let i = 0; i < 50; i++) fake.emit(issued)
    fake.emit({ type: 'client.changed', data: { id: 'dps' } })
    vi.advanceTimersByTime(EVENT_REFRESH_DELAY_MS - 1)
    expect(refreshed()).toEqual([])
    vi.advanceTimersByTime(1)
    expect(refreshed()).toEqual([
      queryKeys.tokens,
      queryKeys.status,
      queryKeys.audit,
      queryKeys.clients,
    ])
    // The next event starts a new interval.
    fake.emit(issued)
    vi.advanceTimersByTime(EVENT_REFRESH_DELAY_MS)
    expect(refreshed()).toHaveLength(7)
  })

  it('refreshes nothing after the window has gone', () => {
    const { fake, view, refreshed } = setup()
    fake.emit(issued)
    view.unmount()
    vi.advanceTimersByTime(EVENT_REFRESH_DELAY_MS * 2)
    expect(refreshed()).toEqual([])
  })
})
