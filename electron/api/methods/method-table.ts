import type { MethodName, MethodOutput, ParsedInput } from '../../../shared/contract/index.js'
import type { App } from '../../app.js'

/**
 * The implementations of the contract methods named `K`, each taking its parsed input. A
 * domain's table is typed over its contract domain's keys, so a missing method, or one the
 * contract does not declare, is a compile error.
 */
export type MethodTable<K extends MethodName> = {
  [M in K]: (input: ParsedInput<M>) => Promise<MethodOutput<M>> | MethodOutput<M>
}

/** The table of one contract domain file's methods (`typeof clientsMethods`, say). */
export type DomainTable<Domain> = MethodTable<keyof Domain & MethodName>

/** What each domain's methods work with: the app, and who acts, for the audit log. */
export interface MethodContext {
  readonly app: App
  /** The transport that asked (`cli`, `console`, `desktop`), as the audit log names it. */
  readonly actor: string
  /** Records an administrative act: ids, kids and counts only, never a secret. */
  audit(action: string, subject: string, details?: Record<string, unknown>): void
}

export function methodContext(app: App, actor: string): MethodContext {
  return {
    app,
    actor,
    audit: (action, subject, details = {}) => {
      app.audit.append({ actor, action, subject, details })
    },
  }
}
