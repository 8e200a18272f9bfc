#!/usr/bin/env node
'use strict'
// The CLI bundle; `npm run build` produces it (scripts/build-cli.mjs).
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
