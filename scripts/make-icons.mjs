// Renders every icon the app and its installers use from the one source, build/icon.svg:
//   <out>/app/icon.png, tray.png, tray@2x.png   the window and tray icons, packed in app.asar
//   <out>/installer/png/<N>x<N>.png              the Linux icon set (deb, AppImage)
//   <out>/installer/icon.ico                     Windows (the exe and the NSIS installer)
//   <out>/installer/icon.icns                    macOS (the app bundle and the dmg)
// Usage: node scripts/make-icons.mjs [out]   (default dist/icons; `npm run build` runs it)
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Resvg } from '@resvg/resvg-js'
import { encodeIcns, encodeIco } from './icon-formats.mjs'

export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024]
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]
const ICNS_SIZES = [16, 32, 64, 128, 256, 512, 1024]

const source = new URL('../build/icon.svg', import.meta.url)
const out = process.argv[2] ?? 'dist/icons'
const svg = readFileSync(source)

const rendered = new Map()
function render(size) {
  let image = rendered.get(size)
  if (!image) {
    const result = new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render()
    if (result.width !== size || result.height !== size)
      throw new Error(`build/icon.svg must be square: rendered ${result.width}x${result.height}`)
    image = { size, png: result.asPng(), rgba: Buffer.from(result.pixels) }
    rendered.set(size, image)
  }
  return image
}

rmSync(out, { recursive: true, force: true })
const app = join(out, 'app')
const installer = join(out, 'installer')
mkdirSync(app, { recursive: true })
mkdirSync(join(installer, 'png'), { recursive: true })

writeFileSync(join(app, 'icon.png'), render(512).png)
writeFileSync(join(app, 'tray.png'), render(16).png)
writeFileSync(join(app, 'tray@2x.png'), render(32).png)
for (const size of LINUX_SIZES) {
  writeFileSync(join(installer, 'png', `${size}x${size}.png`), render(size).png)
}
writeFileSync(join(installer, 'icon.ico'), encodeIco(ICO_SIZES.map(render)))
writeFileSync(
  join(installer, 'icon.icns'),
  encodeIcns(new Map(ICNS_SIZES.map((size) => [size, render(size).png]))),
)
console.log(`wrote the icons from build/icon.svg to ${out}`)
