import { BASE_PATH } from '../../shared/constants'

/** Placeholder shell until the console (issue 4) lands: it says where the issuer lives. */
export function App() {
  return (
    <main data-app-state="ready">
      <h1>plgd M2M Console</h1>
      <p>
        The token issuer serves plgd&apos;s m2m-oauth-server API under <code>{BASE_PATH}</code>.
      </p>
    </main>
  )
}
