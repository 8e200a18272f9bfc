import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type {
  ClientWithSecret,
  ExportFormat,
  ExportedDocument,
} from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import { writeExportFiles } from '../export-files.js'
import { exportFormatOption, forceOption, outOption } from './options.js'
import {
  customCommand,
  methodCommand,
  type ArgSpec,
  type Command,
  type CommandContext,
  type MethodCommandSpec,
  type OptionSpecs,
} from './spec.js'

const exportOptions = { format: exportFormatOption, out: outOption, force: forceOption }

function requiredFormat(format: ExportFormat | undefined): ExportFormat {
  if (format === undefined) {
    throw new AppError(
      'invalid_input',
      '--format is required: one of the formats in docs/exports.md',
    )
  }
  return format
}

/** Refuses an existing --out before anything changes, so a refused run leaves nothing half-done. */
function checkOut(out: string, force: boolean): void {
  if (!force && existsSync(resolve(out))) {
    throw new AppError(
      'already_exists',
      `${resolve(out)} already exists: choose another --out, or add --force to replace it`,
    )
  }
}

function writeDocument(doc: ExportedDocument, out: string, force: boolean): string {
  const [written] = writeExportFiles([{ path: out, content: doc.content, secret: true }], { force })
  return written as string
}

/** What a human reads after a file was written: where, whether it holds the secret, what to fill in. */
function describeWritten(doc: ExportedDocument, path: string): string {
  const lines = [
    `wrote ${path} (${doc.format}, 0600${doc.containsSecret ? ', holds the client secret' : ''})`,
    ...doc.placeholders.map((p) => `  fill in: ${p}`),
    ...doc.notes.map((n) => `  note: ${n}`),
  ]
  return `${lines.join('\n')}\n`
}

/** stdout gets the document itself, or with --json its metadata and content; --out writes a file. */
function emitDocument(
  ctx: CommandContext,
  doc: ExportedDocument,
  out: string | undefined,
  force: boolean,
): number {
  if (out === undefined) {
    ctx.io.out(ctx.globals.json ? `${JSON.stringify(doc)}\n` : doc.content)
    return 0
  }
  const written = writeDocument(doc, out, force)
  if (ctx.globals.json) {
    const { content: _content, ...metadata } = doc
    ctx.io.out(`${JSON.stringify({ ...metadata, written })}\n`)
  } else ctx.io.out(describeWritten(doc, written))
  return 0
}

export const exportsCommands: Command[] = [
  customCommand({
    words: 'export client',
    summary: "a client's credentials in a format a plgd service reads (redacted)",
    details:
      'Formats: `json`, `env`, `curl`, `dps-yaml`, `dps-json`, `coap-gateway-yaml`, `hub-authorization-yaml`, `helm-values`, `k8s-secret` (docs/exports.md). Secrets are stored hashed, so the secret is a file path to create (listed as a placeholder); to export the secret itself, use `--export FORMAT --out FILE` on `clients add` or `clients rotate-secret`. Without --out the document goes to standard output; with --json its metadata too. Audited as `export.client`.',
    args: { name: 'ID' },
    options: exportOptions,
    examples: [
      'export client dps --format dps-yaml',
      'export client dps --format helm-values --out dps-values.yaml',
    ],
    async run(ctx, v, [id]) {
      const format = requiredFormat(v.format)
      if (v.out !== undefined) checkOut(v.out, v.force)
      const doc = await ctx.call('export.client', { id, format })
      return emitDocument(ctx, doc, v.out, v.force)
    },
  }),
  customCommand({
    words: 'export issuer',
    summary: "the issuer's trust material (authority, endpoints, CA, claims) for hub services",
    details:
      'Formats: `json`, `env`, `curl`, `hub-authorization-yaml`, `helm-values`, `k8s-secret` (docs/exports.md). The client formats (`dps-yaml`, `dps-json`, `coap-gateway-yaml`) are refused: use `export client ID --format …`. Audited as `export.issuer`.',
    options: exportOptions,
    examples: [
      'export issuer --format hub-authorization-yaml',
      'export issuer --format helm-values --out issuer-values.yaml',
    ],
    async run(ctx, v) {
      const format = requiredFormat(v.format)
      if (v.out !== undefined) checkOut(v.out, v.force)
      const doc = await ctx.call('export.issuer', { format })
      return emitDocument(ctx, doc, v.out, v.force)
    },
  }),
]

const secretExportOptions = {
  export: {
    ...exportFormatOption,
    help: 'also write the new secret, in this format, to --out FILE (the one chance: secrets are stored hashed)',
  },
  out: outOption,
  force: forceOption,
}

/**
 * `clients add` and `clients rotate-secret` with `--export FORMAT --out FILE`: the one-time
 * secret goes straight into an export file. The target is checked before the client changes;
 * the secret is printed as usual whatever happens to the file.
 */
export function withSecretExport<
  M extends 'clients.add' | 'clients.rotateSecret',
  const O extends OptionSpecs,
  const A extends ArgSpec | undefined = undefined,
>(spec: MethodCommandSpec<M, O, A>): Command {
  const base = methodCommand(spec)
  return {
    ...base,
    options: { ...spec.options, ...secretExportOptions },
    async run(ctx, values, args) {
      const format = values.export as ExportFormat | undefined
      const out = values.out as string | undefined
      const force = values.force === true
      if (format === undefined) {
        if (out !== undefined)
          throw new AppError('invalid_input', '--out goes with --export FORMAT')
        return base.run(ctx, values, args)
      }
      if (out === undefined) {
        throw new AppError(
          'invalid_input',
          '--export needs --out FILE: the file the secret is written to',
        )
      }
      checkOut(out, force)
      const value = (await ctx.call(
        spec.method,
        spec.input(values as never, args as never),
      )) as ClientWithSecret
      const shown = spec.json ? spec.json(value as never) : value
      let doc: ExportedDocument
      let written: string
      try {
        const { clientSecret: secret } = value
        doc = await ctx.call('export.client', {
          id: value.client.id,
          format,
          ...(secret ? { secret } : {}),
        })
        written = writeDocument(doc, out, force)
      } catch (cause) {
        // The client changed already: its one-time secret must still reach the user.
        ctx.io.out(ctx.globals.json ? `${JSON.stringify(shown)}\n` : spec.human(value as never))
        throw cause
      }
      if (ctx.globals.json) {
        const { content: _content, ...metadata } = doc
        ctx.io.out(
          `${JSON.stringify({ ...(shown as object), export: { ...metadata, written } })}\n`,
        )
      } else ctx.io.out(spec.human(value as never) + describeWritten(doc, written))
      return 0
    },
  }
}
