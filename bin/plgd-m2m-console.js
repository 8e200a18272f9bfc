#!/usr/bin/env node
'use strict'
// The compiled CLI; `npm run build` produces it.
const { main } = require('../dist/node/electron/headless/cli.js')
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err) => {
    process.stderr.write(`fatal: ${err && err.message}\n`)
    process.exitCode = 1
  },
)
