import { EventEmitter } from 'node:events'
import type { AppEvent } from '../../shared/contract/index.js'

export type Unsubscribe = () => void

/** Typed events from the services to every transport (IPC, headless bridge). */
export class AppEvents {
  readonly #emitter = new EventEmitter()

  constructor() {
    // One listener per open console window or browser tab.
    this.#emitter.setMaxListeners(100)
  }

  emit(event: AppEvent): void {
    this.#emitter.emit('event', event)
  }

  subscribe(listener: (event: AppEvent) => void): Unsubscribe {
    this.#emitter.on('event', listener)
    return () => this.#emitter.off('event', listener)
  }
}
