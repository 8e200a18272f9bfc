// @vitest-environment node
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'

/**
 * scripts/make-icons.mjs renders every icon from build/icon.svg; the sizes are read back from
 * the files themselves (PNG IHDR, ICO directory and BMP headers, ICNS entries), not from the
 * script's own lists.
 */

const ROOT = join(__dirname, '..', '..')
const out = mkdtempSync(join(tmpdir(), 'plgd-icons-'))
afterAll(() => rmSync(out, { recursive: true, force: true }))

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/make-icons.mjs'), out], {
    cwd: ROOT,
    timeout: 60_000,
  })
})

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

function pngSize(png: Buffer): [number, number] {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature').toBe(true)
  expect(png.toString('ascii', 12, 16)).toBe('IHDR')
  return [png.readUInt32BE(16), png.readUInt32BE(20)]
}

function icoEntries(ico: Buffer): { size: number; format: 'png' | 'bmp'; data: Buffer }[] {
  expect(ico.readUInt16LE(2), 'ICO type').toBe(1)
  return Array.from({ length: ico.readUInt16LE(4) }, (_, i) => {
    const at = 6 + 16 * i
    const size = ico[at] || 256
    const data = ico.subarray(
      ico.readUInt32LE(at + 12),
      ico.readUInt32LE(at + 12) + ico.readUInt32LE(at + 8),
    )
    return { size, format: data.subarray(0, 8).equals(PNG_SIGNATURE) ? 'png' : 'bmp', data }
  })
}

function icnsEntries(icns: Buffer): Map<string, Buffer> {
  expect(icns.toString('ascii', 0, 4)).toBe('icns')
  expect(icns.readUInt32BE(4)).toBe(icns.length)
  const entries = new Map<string, Buffer>()
  for (let at = 8; at < icns.length;) {
    const length = icns.readUInt32BE(at + 4)
    entries.set(icns.toString('ascii', at, at + 4), icns.subarray(at + 8, at + length))
    at += length
  }
  return entries
}

describe('icons rendered from build/icon.svg', () => {
  it('the Linux set: a square PNG at every size from 16 to 1024', () => {
    const dir = join(out, 'installer/png')
    const files = readdirSync(dir).sort()
    const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024]
    expect(files).toEqual(sizes.map((s) => `${s}x${s}.png`).sort())
    for (const size of sizes)
      expect(pngSize(readFileSync(join(dir, `${size}x${size}.png`)))).toEqual([size, size])
  })

  it('Windows .ico: 16 to 256 px, 32-bit BMP below 256 and PNG at 256', () => {
    const entries = icoEntries(readFileSync(join(out, 'installer/icon.ico')))
    expect(entries.map((e) => e.size)).toEqual([16, 24, 32, 48, 64, 128, 256])
    for (const { size, format, data } of entries) {
      if (format === 'png') {
        expect(size).toBe(256)
        expect(pngSize(data)).toEqual([256, 256])
        continue
      }
      expect(data.readUInt32LE(0), 'BITMAPINFOHEADER').toBe(40)
      expect(data.readInt32LE(4)).toBe(size)
      expect(data.readInt32LE(8), 'height counts the mask').toBe(size * 2)
      expect(data.readUInt16LE(14), 'bits per pixel').toBe(32)
      // The rounded corner is transparent, the centre opaque (straight alpha, BGRA bottom-up).
      const alpha = (x: number, y: number) => data[40 + ((size - 1 - y) * size + x) * 4 + 3]
      expect(alpha(0, 0)).toBe(0)
      expect(alpha(size >> 1, size >> 1)).toBe(255)
    }
  })

  it('macOS .icns: every type from 16 px to 1024 px (512 pt @2x), each a PNG of its size', () => {
    const entries = icnsEntries(readFileSync(join(out, 'installer/icon.icns')))
    const expected: Record<string, number> = {
      icp4: 16,
      icp5: 32,
      icp6: 64,
      ic07: 128,
      ic08: 256,
      ic09: 512,
      ic10: 1024,
      ic11: 32,
      ic12: 64,
      ic13: 256,
      ic14: 512,
    }
    expect([...entries.keys()].sort()).toEqual(Object.keys(expected).sort())
    for (const [type, size] of Object.entries(expected))
      expect(pngSize(entries.get(type)!), type).toEqual([size, size])
  })

  it('the window and tray icons the app loads (with the tray @2x for high-DPI screens)', () => {
    expect(pngSize(readFileSync(join(out, 'app/icon.png')))).toEqual([512, 512])
    expect(pngSize(readFileSync(join(out, 'app/tray.png')))).toEqual([16, 16])
    expect(pngSize(readFileSync(join(out, 'app/tray@2x.png')))).toEqual([32, 32])
  })

  it('the installers take their icons from the rendered set', () => {
    const config = parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<
      string,
      { icon?: string; installerIcon?: string }
    >
    expect(config.linux?.icon).toBe('dist/icons/installer/png')
    expect(config.mac?.icon).toBe('dist/icons/installer/icon.icns')
    expect(config.win?.icon).toBe('dist/icons/installer/icon.ico')
    expect(config.nsis?.installerIcon).toBe('dist/icons/installer/icon.ico')
  })
})
