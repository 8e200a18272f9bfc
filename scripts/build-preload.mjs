// Bundles electron/preload.ts into dist/preload/preload.js: one CommonJS file that requires
// nothing but 'electron', as a sandboxed preload must (it cannot require relative files).
import { readFileSync } from 'node:fs'
import { build } from 'vite'

const outDir = 'dist/preload'
await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    lib: { entry: 'electron/preload.ts', formats: ['cjs'], fileName: () => 'preload.js' },
    outDir,
    emptyOutDir: true,
    minify: false,
    sourcemap: false,
    target: 'es2022',
    rolldownOptions: { external: ['electron'] },
  },
})

const bundle = readFileSync(`${outDir}/preload.js`, 'utf8')
const requires = [...bundle.matchAll(/require\(\s*(['"`])([^'"`]*)\1\s*\)/g)].map((m) => m[2])
const others = requires.filter((name) => name !== 'electron')
if (others.length > 0 || /\brequire\(\s*[^'"`\s]/.test(bundle)) {
  console.error(
    `preload bundle requires more than electron: ${others.join(', ') || 'a computed name'}`,
  )
  process.exit(1)
}
console.log(`built ${outDir}/preload.js`)
