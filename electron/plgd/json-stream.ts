/**
 * An incremental parser for a stream of concatenated JSON objects or arrays, as grpc-gateway
 * writes server-streaming answers (`{"result":…}` values, newline-separated or not). Chunks may
 * split anywhere: inside a string, an escape or a multi-byte UTF-8 character. It scans bytes
 * (every structural byte is ASCII, and no byte of a multi-byte UTF-8 sequence is), holds only
 * the value being read, and decodes a value once it is complete.
 */

export class JsonStreamError extends Error {
  override readonly name = 'JsonStreamError'
}

export interface JsonStreamOptions {
  /** A single value larger than this is refused; 8 MiB by default. */
  maxValueBytes?: number
}

const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const QUOTE = 0x22
const BACKSLASH = 0x5c
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d])

export class JsonStreamParser {
  private readonly maxValueBytes: number
  /** Pieces of the value being read. */
  private parts: Buffer[] = []
  private size = 0
  private depth = 0
  private inString = false
  private escaped = false
  /** Bytes read so far, for error positions. */
  private offset = 0

  constructor(options: JsonStreamOptions = {}) {
    this.maxValueBytes = options.maxValueBytes ?? 8 * 1024 * 1024
  }

  /** Feeds one chunk; returns the values it completed, in order. */
  push(chunk: Uint8Array): unknown[] {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)
    const values: unknown[] = []
    let start = this.depth > 0 ? 0 : -1
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i] as number
      if (this.depth === 0) {
        if (WHITESPACE.has(byte)) continue
        if (byte !== OPEN_OBJECT && byte !== OPEN_ARRAY) {
          throw new JsonStreamError(
            `expected a JSON object at byte ${this.offset + i}, found ${describe(byte)}`,
          )
        }
        start = i
        this.depth = 1
        continue
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (byte === BACKSLASH) this.escaped = true
        else if (byte === QUOTE) this.inString = false
        continue
      }
      if (byte === QUOTE) this.inString = true
      else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) this.depth++
      else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        this.depth--
        if (this.depth === 0) {
          this.take(bytes.subarray(start, i + 1))
          values.push(this.finish())
          start = -1
        }
      }
    }
    if (this.depth > 0 && start >= 0) this.take(bytes.subarray(start))
    this.offset += bytes.length
    return values
  }

  /** The stream ended: refuses a value left open. */
  end(): void {
    if (this.depth > 0) {
      throw new JsonStreamError(`the stream ended inside a value (after ${this.offset} bytes)`)
    }
  }

  private take(piece: Buffer): void {
    this.size += piece.length
    if (this.size > this.maxValueBytes) {
      throw new JsonStreamError(`a value in the stream is larger than ${this.maxValueBytes} bytes`)
    }
    // Copied: the caller may reuse the chunk's memory.
    this.parts.push(Buffer.from(piece))
  }

  private finish(): unknown {
    const text = Buffer.concat(this.parts, this.size).toString('utf8')
    this.parts = []
    this.size = 0
    try {
      return JSON.parse(text) as unknown
    } catch (err) {
      throw new JsonStreamError(`a value in the stream is not JSON: ${(err as Error).message}`, {
        cause: err,
      })
    }
  }
}

/** Values from a chunked body, each yielded as soon as its last byte has arrived. */
export async function* parseJsonStream(
  chunks: AsyncIterable<Uint8Array>,
  options: JsonStreamOptions = {},
): AsyncGenerator<unknown> {
  const parser = new JsonStreamParser(options)
  for await (const chunk of chunks) yield* parser.push(chunk)
  parser.end()
}

function describe(byte: number): string {
  return byte >= 0x20 && byte < 0x7f
    ? `'${String.fromCharCode(byte)}'`
    : `byte 0x${byte.toString(16)}`
}
