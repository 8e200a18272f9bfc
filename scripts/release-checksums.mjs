// Writes the SHA-256 sums of the installers in a folder, one `<hex>  <name>` line each (the
// format `sha256sum -c` and `shasum -a 256 -c` check), on every OS the release runs on.
// Usage: node scripts/release-checksums.mjs <folder> <output file name>
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const INSTALLERS = /\.(deb|AppImage|exe|dmg)$/
const [folder, output] = process.argv.slice(2)
if (!folder || !output) {
  console.error('usage: node scripts/release-checksums.mjs <folder> <output file name>')
  process.exit(2)
}
const files = readdirSync(folder)
  .filter((name) => INSTALLERS.test(name))
  .sort()
if (files.length === 0) {
  console.error(
    `no installers (.deb, .AppImage, .exe, .dmg) in ${folder}: did electron-builder run?`,
  )
  process.exit(1)
}
const lines = files.map(
  (name) =>
    `${createHash('sha256')
      .update(readFileSync(join(folder, name)))
      .digest('hex')}  ${name}`,
)
writeFileSync(join(folder, output), `${lines.join('\n')}\n`)
console.log(lines.join('\n'))
