import './zod-config'
import '@mantine/core/styles.css'
import '@mantine/notifications/styles.css'
import './styles.css'
import { setAppState } from './lib/app-state'

setAppState('loading')

// The app (and with it every zod schema, shared/contract.ts included) is imported only after
// zod-config has run: a static import would be hoisted into a chunk evaluated before it.
const root = document.getElementById('root')
if (root) {
  import('./boot').then(
    ({ boot }) => boot(root),
    () => setAppState('error', 'load-failed'),
  )
}
