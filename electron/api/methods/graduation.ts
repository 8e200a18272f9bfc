import type { graduationMethods } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import {
  checkBundleAuthority,
  checkKeptDir,
  issuerBundleFiles,
  issuerBundleNotes,
} from '../../export/issuer-bundle.js'
import { graduateToPlgd } from '../../export/plgd-graduation.js'
import { plgdReferences, readPlgdConfig } from '../../export/plgd-config.js'
import { importFromPlgd } from '../../export/plgd-import.js'
import type { DomainTable, MethodContext } from './method-table.js'

export function implementGraduation(ctx: MethodContext): DomainTable<typeof graduationMethods> {
  const { app, actor, audit } = ctx
  return {
    'export.bundle': ({ authority, keepUpdatedIn, stopUpdating }) => {
      const { issuer } = app.urls()
      checkBundleAuthority(authority, issuer)
      if (keepUpdatedIn !== undefined && actor !== 'cli') {
        throw new AppError(
          'policy_violation',
          'only the command line names a directory to keep updated: ' +
            'plgd-m2m-console export bundle --out DIR',
        )
      }
      if (keepUpdatedIn !== undefined && stopUpdating) {
        throw new AppError('invalid_input', 'give either a directory to keep updated or stop')
      }
      const kept = app.settings.get('issuerBundle')?.dir
      if (keepUpdatedIn !== undefined) {
        app.settings.set('issuerBundle', { dir: checkKeptDir(keepUpdatedIn) })
        audit('export.bundle_kept', 'issuer', { dir: keepUpdatedIn })
      } else if (stopUpdating && kept !== undefined) {
        app.settings.set('issuerBundle', null)
        audit('export.bundle_stopped', 'issuer', { dir: kept })
      }
      const keptUpdatedIn = stopUpdating ? null : (keepUpdatedIn ?? kept ?? null)
      const notes = issuerBundleNotes(issuer)
      notes.push(
        keptUpdatedIn
          ? `${keptUpdatedIn} is re-written whenever the keys rotate (stop: export bundle --stop-updating).`
          : 'Export the bundle again after every key rotation (or keep a directory updated: export bundle --out DIR).',
      )
      return {
        authority: issuer,
        files: issuerBundleFiles({ urls: app.urls, jwksJson: () => app.keys.jwksJson() }),
        keptUpdatedIn,
        notes,
      }
    },
    'export.plgd': (input) => graduateToPlgd({ app, actor, audit }, input),
    'import.plgdReferences': ({ configYaml }) => ({
      references: plgdReferences(readPlgdConfig(configYaml).signer),
    }),
    'import.plgd': (input) => importFromPlgd({ app, audit }, input),
  }
}
