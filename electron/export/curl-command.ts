import { quote } from 'shell-quote'
import type { ClientExportContext, IssuerExportContext, SecretRef } from './export-context.js'

/** The file the curl commands read the console CA from (saved from `export issuer --format json`'s caPem). */
export const CURL_CA_FILE = 'plgd-m2m-console-ca.pem'

const caArgs = (ctx: IssuerExportContext): string[] => (ctx.caPem ? ['--cacert', CURL_CA_FILE] : [])

/**
 * A client-credentials token request (form fields, RFC 6749 §2.3.1). Redacted, curl reads the
 * secret from its file (`--data-urlencode name@file`), so the command line never holds it.
 */
export function tokenRequestCommand(ctx: ClientExportContext, ref: SecretRef): string {
  const words = ['curl', '--fail-with-body', '-sS', ...caArgs(ctx), ctx.tokenEndpoint]
  words.push('-d', 'grant_type=client_credentials')
  words.push('--data-urlencode', `client_id=${ctx.client.id}`)
  if (ref.usesSecret) {
    words.push(
      '--data-urlencode',
      ref.inline === null ? `client_secret@${ref.file}` : `client_secret=${ref.inline}`,
    )
  } else {
    words.push(
      '-d',
      'client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      '--data-urlencode',
      `client_assertion@${assertionFile(ctx)}`,
    )
  }
  const [audience] = ctx.client.audiences
  if (audience !== undefined) words.push('--data-urlencode', `audience=${audience}`)
  return shellCommand(words)
}

/** The signed assertion a private_key_jwt or user-assertion client presents, as a file to create. */
export function assertionFile(ctx: ClientExportContext): string {
  return `/secrets/${ctx.client.id}/client-assertion.jwt`
}

/** What a hub reads first from the issuer (interop §2.2). */
export function discoveryCommand(ctx: IssuerExportContext): string {
  return shellCommand([
    'curl',
    '--fail-with-body',
    '-sS',
    ...caArgs(ctx),
    `${ctx.issuer}/.well-known/openid-configuration`,
  ])
}

function shellCommand(words: readonly string[]): string {
  return `${quote([...words])}\n`
}
