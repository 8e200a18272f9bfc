import { writeFileSync } from 'node:fs'
import { isoTime, table } from '../output.js'
import { limitOption, offsetOption } from './options.js'
import { methodCommand, option } from './spec.js'

/** The exit code of `audit verify` when the chain is broken. */
export const AUDIT_TAMPERED_EXIT = 3

export const auditCommands = [
  methodCommand({
    words: 'audit list',
    summary: 'the hash-chained audit log of every administrative act',
    options: { limit: limitOption, offset: offsetOption },
    examples: ['audit list --limit 20'],
    method: 'audit.list',
    input: (v) => ({ limit: v.limit, offset: v.offset }),
    human: (page) =>
      table(
        ['SEQ', 'AT', 'ACTOR', 'ACTION', 'SUBJECT'],
        page.items.map((e) => [String(e.seq), isoTime(e.at), e.actor, e.action, e.subject]),
        'the audit log is empty',
      ),
  }),
  methodCommand({
    words: 'audit verify',
    summary: `check the audit log's hash chain; exits ${AUDIT_TAMPERED_EXIT} when it is broken`,
    details:
      'The chain must also reach the head anchored in the authenticated settings, so newest entries cut off are reported too.',
    options: {},
    examples: ['audit verify'],
    method: 'audit.verify',
    input: () => ({}),
    human: (v) =>
      v.ok
        ? `audit log intact: ${v.entries} entries verified\n`
        : v.brokenAt !== undefined && v.brokenAt > v.entries
          ? `AUDIT LOG TAMPERED: entries from ${v.brokenAt} on were cut off (${v.entries} entries left; settings.json anchors more)\n`
          : `AUDIT LOG TAMPERED: the chain breaks at entry ${v.brokenAt} (${v.entries} entries)\n`,
    exitCode: (v) => (v.ok ? 0 : AUDIT_TAMPERED_EXIT),
  }),
  methodCommand({
    words: 'audit export',
    summary: "the audit log as JSON Lines, with each entry's prevHash and hash",
    details: 'JSON Lines on stdout whether or not `--json` is given, or into the `--out` file.',
    options: { out: option.text('FILE', 'write to this file (owner-only) instead of stdout') },
    examples: ['audit export --out audit.jsonl'],
    method: 'audit.export',
    input: () => ({}),
    human: (e) => e.jsonl,
    emit: ({ jsonl, entries }, v, io) => {
      if (v.out === undefined) return io.out(jsonl)
      writeFileSync(v.out, jsonl, { mode: 0o600 })
      io.err(`wrote ${entries} entries to ${v.out}\n`)
    },
  }),
]
