// `npm start`: the desktop window where an Electron binary can run, else the same console
// headless (issuer plus the console in a browser). PLGD_M2M_HEADLESS=1 forces headless.
import { spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const args = process.argv.slice(2)

function electronBinary() {
  if (process.env.PLGD_M2M_HEADLESS === '1') return undefined
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return undefined
  try {
    const binary = require('electron')
    // Electron 42+ fetches its binary on first launch; a machine without internet cannot.
    const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 60_000 })
    return probe.status === 0 ? binary : undefined
  } catch {
    return undefined
  }
}

const binary = electronBinary()
const child = binary
  ? spawn(binary, ['.', ...args], { stdio: 'inherit' })
  : spawn(process.execPath, ['bin/plgd-m2m-console.js', 'serve', ...args], { stdio: 'inherit' })
if (!binary)
  console.error('No Electron binary available: running headless (issuer + console in a browser).')
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code) => process.exit(code ?? 0))
