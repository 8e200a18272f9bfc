// Rewrites the files generated from the compiled contract (run `npm run build` first).
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const {
  renderContractDocs,
  renderMethodNames,
} = require('../dist/node/electron/api/contract-docs.js')
writeFileSync(new URL('../docs/contract.md', import.meta.url), renderContractDocs())
writeFileSync(new URL('../shared/method-names.ts', import.meta.url), renderMethodNames())
console.log('wrote docs/contract.md and shared/method-names.ts')
