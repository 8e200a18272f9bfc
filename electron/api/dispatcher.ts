import { z } from 'zod'
import {
  contract,
  type Envelope,
  type MethodName,
  type MethodOutput,
  type ParsedInput,
} from '../../shared/contract.js'
import { AppError, toErrorShape } from '../../shared/errors.js'
import type { App } from '../app.js'

type Implementation = {
  [M in MethodName]: (input: ParsedInput<M>) => Promise<MethodOutput<M>> | MethodOutput<M>
}

/** Every contract method, implemented once over the services. */
function implement(app: App): Implementation {
  return {
    'clients.add': (input) => app.clients.add(input),
    'clients.list': () => app.clients.list(),
    'clients.get': ({ id }) => app.clients.get(id),
    'clients.rotateSecret': ({ id, graceSeconds }) => app.clients.rotateSecret(id, graceSeconds),
    'clients.setDisabled': ({ id, disabled }) => app.clients.setDisabled(id, disabled),
    'clients.remove': ({ id }) => {
      app.clients.remove(id)
      return { removed: true as const }
    },
    'tokens.issue': (input) => app.tokens.issueAsAdmin(input),
    'keys.list': () => app.keys.list(),
    'keys.rotate': ({ alg }) => app.keys.rotate(alg),
    'keys.import': ({ pem, activate }) => app.keys.importPem(pem, activate),
  }
}

export type Dispatch = (method: string, input: unknown) => Promise<Envelope<unknown>>

/**
 * The one entry every transport calls (control socket, Electron IPC, headless bridge): checks
 * the method exists, parses the input with its schema, runs it and returns an envelope.
 * Unexpected errors are logged here and leave only as a generic `internal` error.
 */
export function createDispatcher(app: App): Dispatch {
  const impl = implement(app)
  return async (method, rawInput) => {
    try {
      if (!Object.hasOwn(contract, method))
        throw new AppError('invalid_input', `unknown method ${method}`)
      const name = method as MethodName
      const input = contract[name].input.parse(rawInput ?? {})
      const run = impl[name] as (input: unknown) => unknown
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
