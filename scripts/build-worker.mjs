// Bundles the sign-and-record thread into one file where the compiled tree has it
// (dist/node/electron/issuer/sign-and-record-worker.js, replacing tsc's output). Packaged, the
// worker runs from app.asar.unpacked, where a worker thread cannot require the modules tsc's
// output would (they are in app.asar): the bundle requires only Node's built-ins and
// better-sqlite3, which electron-builder unpacks with its native binding.
import { builtinModules } from 'node:module'
import { readFileSync, rmSync } from 'node:fs'
import { build } from 'vite'

const outDir = 'dist/node/electron/issuer'
const file = `${outDir}/sign-and-record-worker.js`
const allowed = new Set([
  'better-sqlite3',
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
])

await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: true,
    outDir,
    emptyOutDir: false,
    minify: false,
    sourcemap: false,
    target: 'node20',
    copyPublicDir: false,
    rolldownOptions: {
      input: { 'sign-and-record-worker': 'electron/issuer/sign-and-record-worker.ts' },
      external: [...allowed],
      output: { format: 'cjs', entryFileNames: '[name].js', codeSplitting: false },
    },
  },
  ssr: { noExternal: true },
})

// tsc's source map describes the file this bundle replaced.
rmSync(`${file}.map`, { force: true })
const bundle = readFileSync(file, 'utf8')
const requires = [...bundle.matchAll(/require\(\s*(['"`])([^'"`]*)\1\s*\)/g)].map((m) => m[2])
const others = requires.filter((name) => !allowed.has(name))
if (others.length > 0 || /\brequire\(\s*[^'"`\s]/.test(bundle)) {
  console.error(
    `${file} requires more than Node's built-ins and better-sqlite3: ${others.join(', ') || 'a computed name'}`,
  )
  process.exit(1)
}
console.log(`built ${file}`)
