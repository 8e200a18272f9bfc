import { describe, expect, it } from 'vitest'
import {
  JsonStreamError,
  JsonStreamParser,
  parseJsonStream,
} from '../../electron/plgd/json-stream.js'

/** A grpc-gateway list with the hard parts: braces and quotes in strings, escapes, UTF-8. */
const VALUES = [
  { result: { id: 'a', name: 'plain' } },
  { result: { id: 'b', name: 'braces } { ] [ in a string', nested: { deep: [1, [2, { x: 3 }]] } } },
  {
    result: {
      id: 'c',
      name: 'quote " and backslash \\ and \\" and \\\\',
      unicode: '\u00e9\u4e2d\ud83d\ude00',
    },
  },
  { result: { id: 'd', empty: {}, list: [], n: -1.5e3, t: true, f: false, z: null } },
  { error: { code: 7, message: 'owner mismatch' } },
]
const NEWLINES = VALUES.map((v) => JSON.stringify(v)).join('\n') + '\n'
const PACKED = VALUES.map((v) => JSON.stringify(v)).join('')
const SPACED = ` \r\n\t${VALUES.map((v) => JSON.stringify(v, null, 2)).join(' \n\r\t ')}\n\n`

function parseAll(chunks: Uint8Array[], maxValueBytes?: number): unknown[] {
  const parser = new JsonStreamParser(maxValueBytes === undefined ? {} : { maxValueBytes })
  const out: unknown[] = []
  for (const chunk of chunks) out.push(...parser.push(chunk))
  parser.end()
  return out
}

function splitAt(bytes: Buffer, ...cuts: number[]): Buffer[] {
  const parts: Buffer[] = []
  let from = 0
  for (const cut of cuts) {
    parts.push(bytes.subarray(from, cut))
    from = cut
  }
  parts.push(bytes.subarray(from))
  return parts
}

describe('JsonStreamParser', () => {
  for (const [name, text] of [
    ['newline-separated', NEWLINES],
    ['concatenated with no separator', PACKED],
    ['pretty-printed with mixed whitespace', SPACED],
  ] as const) {
    it(`reads a ${name} stream split at every byte into two chunks`, () => {
      const bytes = Buffer.from(text, 'utf8')
      for (let cut = 0; cut <= bytes.length; cut++) {
        expect(parseAll(splitAt(bytes, cut)), `cut at ${cut}`).toEqual(VALUES)
      }
    })
  }

  it('reads a stream delivered one byte at a time, inside escapes and multi-byte characters', () => {
    const bytes = Buffer.from(NEWLINES, 'utf8')
    expect(parseAll([...bytes].map((b) => Uint8Array.of(b)))).toEqual(VALUES)
  })

  it('reads a stream split at every pair of positions (three chunks)', () => {
    const bytes = Buffer.from(JSON.stringify(VALUES[2]) + JSON.stringify(VALUES[1]), 'utf8')
    for (let a = 0; a <= bytes.length; a += 3) {
      for (let b = a; b <= bytes.length; b += 5) {
        expect(parseAll(splitAt(bytes, a, b))).toEqual([VALUES[2], VALUES[1]])
      }
    }
  })

  it('yields each value as soon as its last byte arrives, not at the end', () => {
    const parser = new JsonStreamParser()
    expect(parser.push(Buffer.from('{"result":1}\n{"resu'))).toEqual([{ result: 1 }])
    expect(parser.push(Buffer.from('lt":2}'))).toEqual([{ result: 2 }])
    expect(parser.push(Buffer.from('\n'))).toEqual([])
    parser.end()
  })

  it('does not keep a chunk it was handed: the caller may reuse its memory', () => {
    const parser = new JsonStreamParser()
    const chunk = Buffer.from('{"result":"abc')
    parser.push(chunk)
    chunk.fill(0x20)
    expect(parser.push(Buffer.from('"}'))).toEqual([{ result: 'abc' }])
  })

  it('reads an empty body, or only whitespace, as no values', () => {
    expect(parseAll([])).toEqual([])
    expect(parseAll([Buffer.from(' \n\r\n\t ')])).toEqual([])
  })

  it('reads top-level arrays too', () => {
    expect(parseAll([Buffer.from('[1,"]"]\n[]')])).toEqual([[1, ']'], []])
  })

  it('refuses a stream cut inside a value, inside a string and after an escape', () => {
    for (const text of ['{"result":{"a":1}', '{"result":"ab', '{"result":"a\\']) {
      expect(() => parseAll([Buffer.from(text)]), text).toThrow(/ended inside a value/)
    }
  })

  it('refuses anything but an object or an array at the top level, naming the byte', () => {
    expect(() => parseAll([Buffer.from('{"a":1}\n"text"')])).toThrow(
      /expected a JSON object at byte 8, found '"'/,
    )
    expect(() => parseAll([Buffer.from('<html>')])).toThrow(JsonStreamError)
    expect(() => parseAll([Buffer.from('42')])).toThrow(/found '4'/)
    expect(() => parseAll([Buffer.from('}')])).toThrow(/found '}'/)
  })

  it('refuses a value that balances but is not JSON', () => {
    expect(() => parseAll([Buffer.from('{"a":}')])).toThrow(/not JSON/)
    expect(() => parseAll([Buffer.from("{'a':1}")])).toThrow(/not JSON/)
  })

  it('refuses a value larger than the limit, in one chunk or spread over many', () => {
    const big = Buffer.from(JSON.stringify({ result: 'x'.repeat(200) }))
    expect(() => parseAll([big], 100)).toThrow(/larger than 100 bytes/)
    const spread = [...big].map((b) => Uint8Array.of(b))
    expect(() => parseAll(spread, 100)).toThrow(/larger than 100 bytes/)
    // Many values each under the limit are fine: the limit is per value, not per stream.
    const many = Buffer.from(JSON.stringify({ result: 'x'.repeat(80) }).repeat(50))
    expect(parseAll([many], 100)).toHaveLength(50)
  })

  it('counts a value exactly at the limit as allowed', () => {
    const text = JSON.stringify({ result: 'abc' })
    expect(parseAll([Buffer.from(text)], Buffer.byteLength(text))).toHaveLength(1)
    expect(() => parseAll([Buffer.from(text)], Buffer.byteLength(text) - 1)).toThrow(
      JsonStreamError,
    )
  })
})

describe('parseJsonStream', () => {
  it('yields values from an async iterable of chunks and refuses a truncated end', async () => {
    async function* chunks(...texts: string[]) {
      for (const text of texts) yield Buffer.from(text)
    }
    const got: unknown[] = []
    for await (const v of parseJsonStream(chunks('{"result":', '1}{"result"', ':2}'))) got.push(v)
    expect(got).toEqual([{ result: 1 }, { result: 2 }])
    const partial = async () => {
      for await (const v of parseJsonStream(chunks('{"result":1}{"re'))) got.push(v)
    }
    await expect(partial()).rejects.toThrow(/ended inside a value/)
  })
})
