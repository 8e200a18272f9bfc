import { z } from 'zod'
import { contract, type Envelope, type MethodName } from '../../shared/contract/index.js'
import { AppError, toErrorShape } from '../../shared/errors.js'
import type { App } from '../app.js'
import { implementMethods } from './methods/index.js'

export type Dispatch = (method: string, input: unknown) => Promise<Envelope<unknown>>

/**
 * The one entry every transport calls (control socket, Electron IPC, headless bridge): checks
 * the method exists, parses the input with its schema, routes it to its domain's
 * implementation (electron/api/methods/) and returns an envelope. Unexpected errors are logged
 * here and leave only as a generic `internal` error. It holds no state: two dispatchers over
 * one app see the same app. `actor` names the transport in the audit log (`cli`, `console`,
 * `desktop`).
 */
export function createDispatcher(app: App, actor = 'local-admin'): Dispatch {
  const methods = implementMethods(app, actor)
  return async (method, rawInput) => {
    try {
      if (!Object.hasOwn(contract, method))
        throw new AppError('invalid_input', `unknown method ${method}`)
      const name = method as MethodName
      const input = contract[name].input.parse(rawInput ?? {})
      const run = methods[name] as (input: unknown) => unknown
      return { ok: true, value: await run(input) }
    } catch (err) {
      if (err instanceof z.ZodError) {
        return { ok: false, error: { code: 'invalid_input', message: formatZodError(err) } }
      }
      if (!(err instanceof AppError) || !err.expose)
        app.log.error('operation failed', { method, error: err })
      return { ok: false, error: toErrorShape(err) }
    }
  }
}

export function formatZodError(err: z.ZodError): string {
  return err.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ')
}
