import type { AppEvent, Envelope, MethodInput, MethodName, MethodOutput } from './contract/index.js'
import { METHOD_NAMES } from './method-names.js'

type Namespace<M extends string> = M extends `${infer N}.${string}` ? N : never
type Operation<M extends string> = M extends `${string}.${infer O}` ? O : never

/**
 * What the renderer sees of main: narrow, domain-named functions (`api.clients.add(input)`),
 * each typed from the contract and answering an envelope. The preload (Electron) and the
 * headless bridge client both build exactly this shape, from the same method list.
 */
export type ConsoleApi = {
  [N in Namespace<MethodName>]: {
    [M in MethodName as Namespace<M> extends N ? Operation<M> : never]: (
      input: MethodInput<M>,
    ) => Promise<Envelope<MethodOutput<M>>>
  }
} & {
  events: { subscribe(listener: (event: AppEvent) => void): () => void }
}

export type CallMethod = (method: MethodName, input: unknown) => Promise<Envelope<unknown>>

/** Builds the nested API object over one transport call. */
export function buildConsoleApi(
  call: CallMethod,
  subscribe: (listener: (event: AppEvent) => void) => () => void,
): ConsoleApi {
  const api: Record<string, Record<string, (input: unknown) => Promise<Envelope<unknown>>>> = {}
  for (const method of METHOD_NAMES) {
    const [ns, op] = method.split('.') as [string, string]
    api[ns] ??= {}
    api[ns][op] = (input: unknown) => call(method, input ?? {})
  }
  return { ...api, events: { subscribe } } as unknown as ConsoleApi
}
