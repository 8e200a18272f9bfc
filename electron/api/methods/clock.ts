import type { ClockSkew, clockMethods } from '../../../shared/contract/index.js'
import { AppError } from '../../../shared/errors.js'
import { measureClockSkew } from '../../net/clock-skew.js'
import type { DomainTable, MethodContext } from './method-table.js'

export function implementClock({ app }: MethodContext): DomainTable<typeof clockMethods> {
  return {
    'clock.skew': async ({ url, caPem }) => {
      let skew: ClockSkew
      try {
        skew = await measureClockSkew(url, caPem)
      } catch (err) {
        throw new AppError(
          'invalid_input',
          `cannot measure the clock of ${url}: ${(err as Error).message}`,
        )
      }
      // Kept by the app, so the status warns whichever transport measured it.
      app.clockSkew.record(skew)
      return skew
    },
  }
}
