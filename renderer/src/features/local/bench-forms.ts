import { z } from 'zod'
import {
  localOnboardInput,
  localPointAtDpsInput,
  type ClientView,
} from '../../../../shared/contract/index'
import { optionalNumberField } from '../../lib/form'
import { formatDuration } from '../../lib/format'

const onboard = localOnboardInput.shape
const point = localPointAtDpsInput.shape

/** The contract's ceiling for a device's token, whatever the client and the issuer allow. */
export const TOKEN_LIFETIME_CEILING = 86_400

/** The longest token a device gets: the client's maximum, the issuer's cap, the contract's. */
export function tokenLifetimeBound(client: ClientView | undefined, issuerMax: number): number {
  return Math.min(client?.maxLifetimeSeconds ?? Infinity, issuerMax, TOKEN_LIFETIME_CEILING)
}

const requiredChoice = (message: string) =>
  z
    .string()
    .nullable()
    .refine((v) => v !== null && v !== '', message)
    .transform((v) => v ?? '')

/** Onboard directly → `local.onboard` input without the devices and the URL (the page adds them). */
export function buildOnboardFormSchema(clients: ClientView[], issuerMax: number) {
  return z
    .object({
      hub: requiredChoice('choose the hub the devices join').pipe(onboard.hub),
      clientId: requiredChoice("choose the client coap-gateway's provider trusts").pipe(
        onboard.clientId,
      ),
      providerName: z.string().trim().min(1, 'the provider name is required').max(128),
      tokenLifetimeSeconds: optionalNumberField().pipe(onboard.tokenLifetimeSeconds),
      timeoutSeconds: optionalNumberField().pipe(onboard.timeoutSeconds),
    })
    .superRefine((v, ctx) => {
      const client = clients.find((c) => c.id === v.clientId)
      const max = tokenLifetimeBound(client, issuerMax)
      if (v.tokenLifetimeSeconds > max) {
        ctx.addIssue({
          code: 'custom',
          path: ['tokenLifetimeSeconds'],
          message: `at most ${max} s (${formatDuration(max)})${client ? ` for ${client.id}` : ''}`,
        })
      }
    })
}

export type OnboardFormValues = z.input<ReturnType<typeof buildOnboardFormSchema>>
export type OnboardFormOutput = z.output<ReturnType<typeof buildOnboardFormSchema>>

export const emptyOnboardForm = (hub: string | null): OnboardFormValues => ({
  hub,
  clientId: null,
  providerName: 'plgd.dps',
  tokenLifetimeSeconds: 3600,
  timeoutSeconds: 120,
})

/** Point at DPS → `local.pointAtDps` input without the devices and the URL. */
export const pointFormSchema = z.object({
  hub: requiredChoice('choose the hub whose DPS the devices are pointed at').pipe(point.hub),
  clientId: z
    .string()
    .nullable()
    .transform((v) => v || undefined)
    .pipe(point.clientId),
  timeoutSeconds: optionalNumberField().pipe(point.timeoutSeconds),
})

export type PointFormValues = z.input<typeof pointFormSchema>
export type PointFormOutput = z.output<typeof pointFormSchema>

export const emptyPointForm = (hub: string | null): PointFormValues => ({
  hub,
  clientId: null,
  timeoutSeconds: 600,
})
