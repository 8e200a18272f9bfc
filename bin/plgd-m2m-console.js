#!/usr/bin/env node
'use strict'
// The CLI bundle; `npm run build` produces it (scripts/build-cli.mjs).
// First: compiling the bundle would otherwise already grow the young generation.
require('../dist/cli/heap-bounds.js').boundYoungGeneration()
const { main } = require('../dist/cli/cli.js')
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err) => {
    process.stderr.write(`fatal: ${err && err.message}\n`)
    process.exitCode = 1
  },
)
