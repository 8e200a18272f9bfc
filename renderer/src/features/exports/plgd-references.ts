import { parse } from 'yaml'

/** Keys of plgd's `oauthSigner` block whose values name files (interop §1.11). */
const FILE_KEYS = new Set(['privateKeyFile', 'secretFile', 'caPool'])

export type PlgdReferences = { ok: true; references: string[] } | { ok: false; message: string }

/**
 * The files a plgd m2m-oauth-server `config.yaml` names under `oauthSigner` (the signing key,
 * the client secrets, the authorities' CAs), as written there: what import needs beside the
 * config. `data:` references carry their content and need no file.
 */
export function plgdReferences(configYaml: string): PlgdReferences {
  let config: unknown
  try {
    config = parse(configYaml)
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : 'unreadable'
    return { ok: false, message: `config.yaml is not valid YAML: ${reason}` }
  }
  const signer = (config as { oauthSigner?: unknown } | null)?.oauthSigner
  if (typeof signer !== 'object' || signer === null) {
    return {
      ok: false,
      message: 'config.yaml has no oauthSigner block: choose the m2m-oauth-server config',
    }
  }
  const found = new Set<string>()
  collect(signer, found)
  return { ok: true, references: [...found] }
}

function collect(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, found)
    return
  }
  if (typeof node !== 'object' || node === null) return
  for (const [key, value] of Object.entries(node)) {
    if (FILE_KEYS.has(key)) {
      for (const ref of Array.isArray(value) ? value : [value]) {
        if (typeof ref === 'string' && ref.trim() !== '' && !ref.startsWith('data:')) found.add(ref)
      }
    } else collect(value, found)
  }
}

/** A chosen file answers every reference whose last path segment is its name. */
export function referencesFor(references: string[], name: string): string[] {
  return references.filter((ref) => ref.split('/').filter(Boolean).pop() === name)
}
