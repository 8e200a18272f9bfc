// Rewrites the files generated from the CLI's command table (run `npm run build` first).
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { renderCliDocs, withReadmeCliIndex } = require('../dist/node/electron/headless/cli-docs.js')
const readme = new URL('../README.md', import.meta.url)
writeFileSync(new URL('../docs/cli.md', import.meta.url), renderCliDocs())
writeFileSync(readme, withReadmeCliIndex(readFileSync(readme, 'utf8')))
console.log('wrote docs/cli.md and the command index in README.md')
