import type { exportsMethods } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import type { App } from '../../app.js'
import { readConsoleCaPem } from '../../platform/paths.js'
import { exportClient } from '../../export/client-formats.js'
import type { IssuerExportContext } from '../../export/export-context.js'
import { exportIssuer } from '../../export/issuer-formats.js'
import type { DomainTable, MethodContext } from './method-table.js'

function issuerContext(app: App): IssuerExportContext {
  const { issuer, tokenEndpoint, jwksUri } = app.urls()
  const { ownerClaim, deviceIdClaim } = app.issuerSettings()
  return {
    issuer,
    tokenEndpoint,
    jwksUri,
    caPem: readConsoleCaPem(app.dataDir),
    ownerClaim,
    deviceIdClaim,
  }
}

/**
 * The one-time hand-off: a secret goes into an export only when it authenticates as the client
 * now (the registry's constant-time check), i.e. right after `clients add` or `rotate-secret`.
 */
function checkedSecret(app: App, id: string, secret: string | undefined): string | undefined {
  if (secret === undefined) return undefined
  const client = app.clients.get(id)
  if (client.auth.method !== 'client_secret') {
    throw new AppError(
      'invalid_input',
      `client ${id} authenticates with ${client.auth.method}, not a secret: export it without a secret`,
    )
  }
  if (client.disabled) {
    throw new AppError(
      'policy_violation',
      `client ${id} is disabled: enable it (\`clients enable ${id}\`) before exporting its secret`,
    )
  }
  if (!app.clients.authenticate(id, secret)) {
    throw new AppError(
      'invalid_input',
      `this is not a current secret of client ${id}: a secret can be exported only right after it is created or rotated`,
    )
  }
  return secret
}

export function implementExports({
  app,
  audit,
}: MethodContext): DomainTable<typeof exportsMethods> {
  return {
    'export.client': ({ id, format, secret }) => {
      const client = app.clients.get(id)
      const checked = checkedSecret(app, id, secret)
      const document = exportClient(
        { ...issuerContext(app), client, ...(checked === undefined ? {} : { secret: checked }) },
        format,
      )
      // `redacted`, not `withSecret`: the audit log refuses any detail keyed like a secret.
      audit('export.client', id, { format, redacted: document.redacted })
      return document
    },
    'export.issuer': ({ format }) => {
      const document = exportIssuer(issuerContext(app), format)
      audit('export.issuer', 'issuer', { format })
      return document
    },
  }
}
