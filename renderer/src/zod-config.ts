import { z } from 'zod'

// zod compiles fast paths with `new Function` unless told not to, and probes for it as each
// schema is built. The strict CSP has no 'unsafe-eval', so the probe would be reported as a
// violation: configure zod before any schema exists (see main.tsx for the ordering).
z.config({ jitless: true })
