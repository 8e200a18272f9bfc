import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { Writable } from 'node:stream'
import { AppError } from '../../shared/errors.js'

/**
 * Where the vault passphrase comes from, in order: a file (--vault-passphrase-file), the
 * PLGD_M2M_VAULT_PASSPHRASE variable (CI; removed from the environment once read), a prompt on
 * the terminal. Undefined when none applies.
 */
export function passphraseSource(file: string | undefined): (() => Promise<string>) | undefined {
  if (file) {
    return async () => {
      try {
        return readFileSync(file, 'utf8').replace(/\r?\n$/, '')
      } catch (cause) {
        throw new AppError('invalid_input', `cannot read the passphrase file ${file}`, { cause })
      }
    }
  }
  const fromEnv = process.env.PLGD_M2M_VAULT_PASSPHRASE
  if (fromEnv) {
    // Read once, then out of the environment: no child process, worker or crash report gets it.
    delete process.env.PLGD_M2M_VAULT_PASSPHRASE
    return async () => fromEnv
  }
  if (process.stdin.isTTY && process.stderr.isTTY) return promptHidden
  return undefined
}

/** The terminal prompt; it states the vault's minimum, as the desktop page and the README do. */
export const PASSPHRASE_PROMPT = 'Vault passphrase (at least 8 characters): '

function promptHidden(): Promise<string> {
  return askHidden(PASSPHRASE_PROMPT)
}

/** Asks on the terminal without echoing the answer (stderr carries the question). */
export function askHidden(prompt: string): Promise<string> {
  let muted = false
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stderr.write(chunk)
      done()
    },
  })
  const rl = createInterface({ input: process.stdin, output, terminal: true })
  return new Promise((resolve) => {
    rl.question(prompt, (answer) => {
      rl.close()
      process.stderr.write('\n')
      resolve(answer)
    })
    muted = true
  })
}
