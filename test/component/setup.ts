// Browser APIs Mantine needs that jsdom lacks, and Testing Library's cleanup (no vitest globals).
import { notifications } from '@mantine/notifications'
import { cleanup } from '@testing-library/react'
import { afterEach } from 'vitest'

if (typeof window !== 'undefined') {
  if (!window.matchMedia) {
    Object.defineProperty(window, 'matchMedia', {
      writable: true,
      configurable: true,
      value: (query: string): MediaQueryList =>
        ({
          matches: false,
          media: query,
          onchange: null,
          addListener: () => undefined,
          removeListener: () => undefined,
          addEventListener: () => undefined,
          removeEventListener: () => undefined,
          dispatchEvent: () => false,
        }) as MediaQueryList,
    })
  }

  if (!('ResizeObserver' in window)) {
    class ResizeObserverStub {
      observe(): void {}
      unobserve(): void {}
      disconnect(): void {}
    }
    Object.defineProperty(window, 'ResizeObserver', {
      writable: true,
      configurable: true,
      value: ResizeObserverStub,
    })
  }

  // Autosize textareas re-measure when web fonts load.
  if (!('fonts' in document)) {
    Object.defineProperty(document, 'fonts', {
      configurable: true,
      value: {
        ready: Promise.resolve(),
        addEventListener: () => undefined,
        removeEventListener: () => undefined,
      },
    })
  }

  // Combobox scrolls the selected option into view; jsdom does no layout.
  if (!Element.prototype.scrollIntoView) Element.prototype.scrollIntoView = () => undefined
  if (!Element.prototype.scrollTo) Element.prototype.scrollTo = () => undefined

  afterEach(() => {
    cleanup()
    // The notifications store is module state: empty it between tests.
    notifications.clean()
    notifications.cleanQueue()
    window.localStorage.clear()
    window.sessionStorage.clear()
    window.location.hash = ''
    document.documentElement.removeAttribute('data-app-state')
  })
}
