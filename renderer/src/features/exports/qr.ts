import QRCode from 'qrcode'

/** Error correction L: the most data per code; a screen-to-camera hand-off needs little repair. */
export const QR_LEVEL = 'L' as const
/** Bytes a version-40 code holds at level L (ISO/IEC 18004, table 7). */
export const QR_CAPACITY_BYTES = 2953

export type QrMatrix =
  | {
      ok: true
      size: number
      /** Dark runs per row: [x, y, width]. */ runs: [number, number, number][]
    }
  | { ok: false; bytes: number; message: string }

/** The UTF-8 size of a text, as a QR code counts it. */
export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length
}

/**
 * The QR code of a text as runs of dark modules (one SVG rect per run), or why it cannot be
 * one: qrcode throws past version 40's capacity (2,953 bytes at level L).
 */
export function qrMatrix(text: string): QrMatrix {
  let code: ReturnType<typeof QRCode.create>
  try {
    code = QRCode.create(text, { errorCorrectionLevel: QR_LEVEL })
  } catch {
    const bytes = byteLength(text)
    return {
      ok: false,
      bytes,
      message: `This document is ${bytes.toLocaleString('en')} bytes: too large for one QR code (at most ${QR_CAPACITY_BYTES.toLocaleString('en')} bytes at error correction L). Use Save or Copy to hand it over instead.`,
    }
  }
  const { size, data } = code.modules
  const runs: [number, number, number][] = []
  for (let y = 0; y < size; y++) {
    let x = 0
    while (x < size) {
      if (!data[y * size + x]) {
        x++
        continue
      }
      const start = x
      while (x < size && data[y * size + x]) x++
      runs.push([start, y, x - start])
    }
  }
  return { ok: true, size, runs }
}
