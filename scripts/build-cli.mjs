// Bundles the headless entry points (the CLI and the sign-and-record thread) into dist/cli:
// start-up time was mostly Node resolving and compiling hundreds of small module files (zod,
// conf, jose), which one pre-linked file avoids. Native modules stay external.
import { builtinModules } from 'node:module'
import { build } from 'vite'

const external = [
  'better-sqlite3',
  'keytar',
  'electron',
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
]

await build({
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: true,
    outDir: 'dist/cli',
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    target: 'node20',
    rolldownOptions: {
      input: {
        cli: 'electron/headless/cli.ts',
        'heap-bounds': 'electron/platform/heap-bounds.ts',
        'sign-and-record-worker': 'electron/issuer/sign-and-record-worker.ts',
      },
      external,
      output: {
        format: 'cjs',
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
      },
    },
  },
  ssr: { noExternal: true },
})
console.log('built dist/cli')
