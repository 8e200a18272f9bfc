import { useEffect, useState } from 'react'
import { resolveTransport } from './api/transport'
import { setAppState } from './lib/app-state'
import { AppProviders } from './shell/AppProviders'
import { NoSession } from './shell/NoSession'
import { Shell } from './shell/Shell'

/** Finds how to reach main (Electron preload or headless bridge) once, then runs the console. */
export function App() {
  const [transport] = useState(resolveTransport)
  const connected = transport.kind !== 'none'
  useEffect(() => {
    if (!connected) setAppState('error', 'no-session')
  }, [connected])

  return (
    <AppProviders api={connected ? transport.api : undefined}>
      {connected ? <Shell /> : <NoSession />}
    </AppProviders>
  )
}
