// @vitest-environment node
import { EventEmitter } from 'node:events'
import type { ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import {
  LIST_CHUNK_ROWS,
  listPage,
  ListRateLimit,
  MAX_LIST_ROWS,
  writeLines,
} from '../../electron/issuer/token-list.js'

/** A response that records what happens, in order: writes, drains, the end. */
class FakeResponse extends EventEmitter {
  destroyed = false
  readonly events: string[] = []
  readonly written: string[] = []
  /** write() answers false (buffer full) for these call numbers. */
  constructor(readonly fullAt = new Set<number>()) {
    super()
  }
  write(text: string): boolean {
    this.written.push(text)
    this.events.push('write')
    if (!this.fullAt.has(this.written.length)) return true
    setTimeout(() => {
      this.events.push('drain')
      this.emit('drain')
    }, 5)
    return false
  }
  end(): void {
    this.events.push('end')
  }
}

const rows = (n: number) => Array.from({ length: n }, (_, i) => i)
const asRes = (f: FakeResponse) => f as unknown as ServerResponse

describe('writeLines: a long token list goes out in chunks', () => {
  it('yields the event loop between chunks, so other requests are served meanwhile', async () => {
    const res = new FakeResponse()
    let ticking = true
    // Stands for other work (a token request): it runs whenever the loop gets a turn.
    const tick = (): void => {
      res.events.push('tick')
      if (ticking) setImmediate(tick)
    }
    setImmediate(tick)
    await writeLines(asRes(res), rows(MAX_LIST_ROWS), (i) => `${i}\n`)
    ticking = false
    expect(res.written).toHaveLength(MAX_LIST_ROWS / LIST_CHUNK_ROWS)
    expect(res.written.join('')).toBe(
      rows(MAX_LIST_ROWS)
        .map((i) => `${i}\n`)
        .join(''),
    )
    // Between any two writes the other work got a turn.
    const order = res.events.filter((e) => e !== 'drain').join(' ')
    expect(order).not.toMatch(/write write/)
    expect(res.events.filter((e) => e !== 'tick').at(-1)).toBe('end')
  })

  it('waits for the socket to drain before writing more', async () => {
    const res = new FakeResponse(new Set([2]))
    await writeLines(asRes(res), rows(300), (i) => `${i}\n`, 100)
    expect(res.events.filter((e) => e !== 'tick')).toEqual([
      'write',
      'write',
      'drain',
      'write',
      'end',
    ])
  })

  it('stops when the client has gone away', async () => {
    const res = new FakeResponse()
    const writing = writeLines(asRes(res), rows(500), (i) => `${i}\n`, 100)
    res.destroyed = true
    await writing
    expect(res.written.length).toBeLessThanOrEqual(1)
    expect(res.events).not.toContain('end')
  })

  it('ends an empty list with an empty body (plgd: 200, no lines)', async () => {
    const res = new FakeResponse()
    await writeLines(asRes(res), [], String)
    expect(res.events).toEqual(['end'])
  })
})

describe('listPage', () => {
  it.each<[string, Record<string, string>, unknown]>([
    ['nothing: the cap', {}, { pageSize: MAX_LIST_ROWS, pageToken: undefined }],
    ['a smaller page', { pageSize: '10' }, { pageSize: 10, pageToken: undefined }],
    ['a page over the cap, clamped', { pageSize: '5000' }, { pageSize: MAX_LIST_ROWS }],
    ['proto names', { page_size: '3', page_token: 'j-1' }, { pageSize: 3, pageToken: 'j-1' }],
    ['a page token', { pageToken: 'j-9' }, { pageToken: 'j-9' }],
  ])('reads %s', (_name, params, expected) => {
    expect(listPage(new URLSearchParams(params))).toMatchObject(expected as object)
  })

  it.each(['0', '-1', '1.5', 'ten'])('refuses pageSize=%s, naming the range', (size) => {
    expect(listPage(new URLSearchParams({ pageSize: size }))).toEqual({
      error: expect.stringMatching(/pageSize must be an integer from 1 to 1000/) as string,
    })
  })
})

describe('ListRateLimit', () => {
  it('allows `lists` per bearer, then names the wait; other bearers keep their own', async () => {
    const limit = new ListRateLimit({ lists: 3, perSeconds: 60 })
    for (let i = 0; i < 3; i++) expect(await limit.take('Bearer aaa')).toBe(0)
    const wait = await limit.take('bearer aaa')
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(60)
    expect(await limit.take('Bearer bbb')).toBe(0)
  })
})
