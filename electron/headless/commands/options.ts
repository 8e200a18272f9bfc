import { EXPORT_FORMATS } from '../../../shared/contract/index.js'
import { VAULT_MODES } from '../../../shared/enums.js'
import { option, type TextOption } from './spec.js'

/** Options more than one command takes: one name and one meaning wherever they appear. */

export const GLOBAL_OPTIONS = {
  'data-dir': option.text(
    'DIR',
    'data directory; default `$PLGD_M2M_DATA_DIR`, else `~/.config/plgd-m2m-console` (Linux), `~/Library/Application Support/plgd-m2m-console` (macOS), `%APPDATA%\\plgd-m2m-console` (Windows)',
  ),
  json: option.flag(
    'machine-readable output: stdout carries only JSON (one object or line per result); logs go to stderr; errors are `{"error":{"code","message"}}` on stderr with a non-zero exit',
  ),
  vault: option.choice(
    VAULT_MODES,
    'where a new data directory keeps its wrapping key (default `keychain`)',
  ),
  'vault-passphrase-file': option.text(
    'FILE',
    'passphrase of a passphrase vault (or `$PLGD_M2M_VAULT_PASSPHRASE`, or a terminal prompt)',
  ),
  help: option.flag("print the command's usage (`-h` too)"),
} as const

export const audienceOption = option.list('AUDIENCE', 'an audience')
export const scopeOption = option.list('SCOPE', 'a scope')
export const limitOption = option.integer('count', 'at most this many entries')
export const offsetOption = option.integer('count', 'skip this many entries first')

/**
 * Authorities whose user tokens are trusted, on `clients add` and `settings set` alike. The
 * names `--trust-authority` and `--trust-ca`, which `clients add` took before, stay as aliases.
 */
export const trustedAuthorityOption = {
  ...option.list('URL', 'an authority (https://) whose user tokens are trusted'),
  alias: 'trust-authority',
}
export const trustedCaOption = (help: string): TextOption<false> => ({
  ...option.text('FILE', help),
  alias: 'trust-ca',
})

/** Where an export, a graduation or a backup writes; never over an existing file without --force. */
export const outOption = option.text(
  'FILE',
  'write to this file (owner-only, 0600) instead of standard output; an existing file is kept unless --force',
)
export const forceOption = option.flag('replace an existing --out file')
export const exportFormatOption = option.choice(
  EXPORT_FORMATS,
  'the document format (see docs/exports.md): where it goes in plgd, what is redacted',
)
