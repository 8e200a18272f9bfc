import { z } from 'zod'
import {
  httpsUrl,
  updateSettingsInput,
  type MethodInput,
  type SettingsView,
  type TrustedAuthority,
} from '../../../../shared/contract/index'
import { splitList } from '../../lib/form'
import {
  hostText,
  isLoopbackHost,
  optionalHostText,
  portText,
  wholeNumberText,
} from './settings-fields'

const shape = updateSettingsInput.shape

/** The Settings page's form: text as typed in, the `settings.update` fields out. */
export const settingsFormSchema = z
  .object({
    publicHost: optionalHostText(),
    port: portText(),
    listenHost: hostText(),
    station: z.boolean(),
    maxLifetimeSeconds: wholeNumberText('a whole number of seconds, at least 1').pipe(
      shape.maxLifetimeSeconds.unwrap(),
    ),
    iatBackdateSeconds: wholeNumberText('a whole number of seconds from 0 to 300').pipe(
      shape.iatBackdateSeconds.unwrap(),
    ),
    ownerClaim: z.string().trim().pipe(shape.ownerClaim.unwrap()),
    deviceIdClaim: z.string().trim().pipe(shape.deviceIdClaim.unwrap()),
    trustedAuthorities: z
      .string()
      .transform(splitList)
      .pipe(z.array(httpsUrl).max(16, 'at most 16 trusted authorities')),
    clientAppUrl: z.string().trim().pipe(shape.clientAppUrl.unwrap()),
    jobConcurrency: wholeNumberText('a whole number from 1 to 256').pipe(
      shape.jobConcurrency.unwrap(),
    ),
  })
  .superRefine((v, ctx) => {
    if (!isLoopbackHost(v.listenHost) && !v.publicHost) {
      ctx.addIssue({
        code: 'custom',
        path: ['publicHost'],
        message: 'a LAN-exposed issuer needs the host name hubs use to reach it',
      })
    }
  })

export type SettingsFormValues = z.input<typeof settingsFormSchema>
export type SettingsFormOutput = z.output<typeof settingsFormSchema>

export function formValues(s: SettingsView): SettingsFormValues {
  return {
    publicHost: s.publicHost ?? '',
    port: String(s.port),
    listenHost: s.listenHost,
    station: s.station,
    maxLifetimeSeconds: String(s.maxLifetimeSeconds),
    iatBackdateSeconds: String(s.iatBackdateSeconds),
    ownerClaim: s.ownerClaim,
    deviceIdClaim: s.deviceIdClaim,
    trustedAuthorities: s.trustedAuthorities.map((a) => a.authority).join('\n'),
    clientAppUrl: s.clientAppUrl,
    jobConcurrency: String(s.jobConcurrency),
  }
}

/**
 * Only what changed goes to `settings.update` (each change is audited by its keys). A trusted
 * authority already listed keeps the CA it was given on the command line.
 */
export function changedSettings(
  current: SettingsView,
  next: SettingsFormOutput,
): MethodInput<'settings.update'> {
  const patch: Record<string, unknown> = {}
  const { trustedAuthorities, ...plain } = next
  for (const [key, value] of Object.entries(plain)) {
    if (current[key as keyof SettingsView] !== value) patch[key] = value
  }
  const before = current.trustedAuthorities.map((a) => a.authority)
  if (before.join('\n') !== trustedAuthorities.join('\n')) {
    const known = new Map(current.trustedAuthorities.map((a) => [a.authority, a]))
    patch.trustedAuthorities = trustedAuthorities.map(
      (authority): TrustedAuthority => known.get(authority) ?? { authority },
    )
  }
  return patch as MethodInput<'settings.update'>
}

/** Whether the patch moves the issuer's address, and so the authority URL hubs trust. */
export function changesAddress(patch: MethodInput<'settings.update'>): boolean {
  return (
    patch.publicHost !== undefined || patch.port !== undefined || patch.listenHost !== undefined
  )
}
