// Writers for the two icon containers the installers need, from images rendered by resvg:
// Windows .ico (BMP entries below 256 px, which every Windows tool and NSIS reads, and a PNG
// entry at 256 px) and macOS .icns (PNG entries, macOS 10.8 and later).

/** The .icns types holding PNG data, by the pixel size of their image. */
export const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024], // 512 pt @2x
  ['ic11', 32], // 16 pt @2x
  ['ic12', 64], // 32 pt @2x
  ['ic13', 256], // 128 pt @2x
  ['ic14', 512], // 256 pt @2x
]

/** @param {Map<number, Buffer>} pngBySize PNG files by pixel size */
export function encodeIcns(pngBySize) {
  const entries = ICNS_TYPES.map(([type, size]) => {
    const png = pngBySize.get(size)
    if (!png) throw new Error(`icns needs a ${size}px image for ${type}`)
    const header = Buffer.alloc(8)
    header.write(type, 0, 'ascii')
    header.writeUInt32BE(8 + png.length, 4)
    return Buffer.concat([header, png])
  })
  const head = Buffer.alloc(8)
  head.write('icns', 0, 'ascii')
  head.writeUInt32BE(8 + entries.reduce((n, e) => n + e.length, 0), 4)
  return Buffer.concat([head, ...entries])
}

/**
 * @param {{ size: number, png: Buffer, rgba: Buffer }[]} images `rgba` is resvg's raw output:
 *   premultiplied RGBA, top row first
 */
export function encodeIco(images) {
  const bodies = images.map(({ size, png, rgba }) => (size >= 256 ? png : bmpEntry(size, rgba)))
  const header = Buffer.alloc(6 + 16 * images.length)
  header.writeUInt16LE(0, 0) // reserved
  header.writeUInt16LE(1, 2) // 1 = icon
  header.writeUInt16LE(images.length, 4)
  let offset = header.length
  images.forEach(({ size }, i) => {
    const at = 6 + 16 * i
    header.writeUInt8(size >= 256 ? 0 : size, at) // 0 means 256
    header.writeUInt8(size >= 256 ? 0 : size, at + 1)
    header.writeUInt8(0, at + 2) // no palette
    header.writeUInt8(0, at + 3)
    header.writeUInt16LE(1, at + 4) // planes
    header.writeUInt16LE(32, at + 6) // bits per pixel
    header.writeUInt32LE(bodies[i].length, at + 8)
    header.writeUInt32LE(offset, at + 12)
    offset += bodies[i].length
  })
  return Buffer.concat([header, ...bodies])
}

/** A 32-bit BMP icon entry: BITMAPINFOHEADER, BGRA rows bottom-up, an all-zero AND mask. */
function bmpEntry(size, rgba) {
  const maskRow = Math.ceil(size / 32) * 4
  const pixels = Buffer.alloc(size * size * 4)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (y * size + x) * 4
      const to = ((size - 1 - y) * size + x) * 4
      const a = rgba[from + 3]
      // resvg premultiplies; icons want straight alpha.
      const straight = (c) => (a === 0 ? 0 : Math.min(255, Math.round((c * 255) / a)))
      pixels[to] = straight(rgba[from + 2])
      pixels[to + 1] = straight(rgba[from + 1])
      pixels[to + 2] = straight(rgba[from])
      pixels[to + 3] = a
    }
  }
  const header = Buffer.alloc(40)
  header.writeUInt32LE(40, 0)
  header.writeInt32LE(size, 4)
  header.writeInt32LE(size * 2, 8) // the image and its mask
  header.writeUInt16LE(1, 12)
  header.writeUInt16LE(32, 14)
  header.writeUInt32LE(0, 16) // BI_RGB
  header.writeUInt32LE(pixels.length + maskRow * size, 20)
  return Buffer.concat([header, pixels, Buffer.alloc(maskRow * size)])
}
