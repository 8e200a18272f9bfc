import type { keysMethods } from '../../../shared/contract/index.js'
import type { App } from '../../app.js'
import type { DomainTable, MethodContext } from './method-table.js'

/** Tells the console the active key changed (a rotation, an import, setup's choice of algorithm). */
export function announceKeyRotation(app: App): void {
  app.events.emit({ type: 'key.rotated', data: { activeKid: app.keys.active().kid } })
}

export function implementKeys({ app, audit }: MethodContext): DomainTable<typeof keysMethods> {
  return {
    'keys.list': () => app.keys.list(),
    'keys.rotate': async ({ alg }) => {
      const keys = await app.keys.rotate(alg)
      audit('key.rotated', app.keys.active().kid, { alg: alg ?? app.keys.active().alg })
      announceKeyRotation(app)
      return keys
    },
    'keys.import': async ({ pem, activate }) => {
      const key = await app.keys.importPem(pem, activate)
      audit('key.imported', key.kid, { alg: key.alg, activated: activate })
      announceKeyRotation(app)
      return key
    },
    'keys.exportPublic': ({ format, kid }) => ({ content: app.keys.exportPublic(format, kid) }),
  }
}
