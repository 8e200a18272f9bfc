import {
  Alert,
  Autocomplete,
  Button,
  Checkbox,
  FileButton,
  Group,
  Stack,
  Stepper,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { useEffect, useState } from 'react'
import { Controller, useForm, useWatch } from 'react-hook-form'
import type { DpsSetupResult } from '../../../../shared/contract/index'
import { DurationField } from '../../components/DurationField'
import { fieldError, resolverOptions } from '../../lib/form'
import { formatDuration } from '../../lib/format'
import { readFileText } from '../../lib/read-file'
import { useClients } from '../clients/queries'
import { PlanTable } from './PlanTable'
import { ReviewStep } from './ReviewStep'
import {
  SETUP_DEFAULTS,
  STEP_FIELDS,
  setupFormSchema,
  usableDpsClient,
  type SetupFormValues,
} from './setup-form'

/**
 * DPS onboarding's setup (interop §3): hub and DPS client, enrollment group, review of the
 * dry run's diff, apply. Keyboard: every step is a form, Enter goes on, errors sit at fields.
 */
export function SetupWizard({ hub }: { hub: string | null }) {
  const clients = useClients()
  const [step, setStep] = useState(0)
  const [result, setResult] = useState<DpsSetupResult | null>(null)
  const form = useForm<SetupFormValues>({
    resolver: zodResolver(setupFormSchema, resolverOptions),
    defaultValues: { ...SETUP_DEFAULTS, hub },
    mode: 'onTouched',
  })
  const { control, register, setValue, trigger, getValues, formState } = form
  useEffect(() => setValue('hub', hub), [hub, setValue])
  const clientId = useWatch({ control, name: 'clientId' })
  const psk = useWatch({ control, name: 'preSharedKey' })
  const list = clients.data ?? []
  const existing = list.find((c) => c.id === clientId.trim())
  const err = (name: keyof SetupFormValues) => fieldError(formState.errors, name)

  const next = async (e: React.FormEvent) => {
    e.preventDefault()
    const fields = STEP_FIELDS[step as 0 | 1]
    if (await trigger([...fields])) setStep(step + 1)
  }
  const load = async (file: File | null, field: 'certificateChainPem' | 'preSharedKey') => {
    if (!file) return
    try {
      setValue(field, await readFileText(file), { shouldValidate: true })
    } catch (e) {
      form.setError(field, { message: `${file.name} could not be read: ${(e as Error).message}` })
    }
  }

  return (
    <Stepper active={step} onStepClick={(s) => s < step && setStep(s)} data-testid="dps-wizard">
      <Stepper.Step label="Hub and DPS client">
        <form onSubmit={(e) => void next(e)} noValidate data-testid="dps-step-client">
          <Stack>
            {err('hub') ? <Alert color="red">{err('hub')}</Alert> : null}
            <Controller
              control={control}
              name="clientId"
              render={({ field }) => (
                <Autocomplete
                  label="DPS client"
                  description="DPS gets its tokens as this client; its owner is the enrollment group's owner. A new id creates the client."
                  data={list.filter(usableDpsClient).map((c) => c.id)}
                  value={field.value}
                  onChange={field.onChange}
                  onBlur={field.onBlur}
                  error={err('clientId')}
                  data-autofocus
                  data-testid="dps-client"
                />
              )}
            />
            {existing ? (
              <Text size="sm" data-testid="dps-client-owner">
                Owner {existing.owner || '(none)'}; device id{' '}
                {existing.allowDeviceId ? 'allowed' : 'not allowed'}.
                {usableDpsClient(existing)
                  ? ''
                  : ' This client cannot be DPS’s: it needs a secret and an owner.'}
              </Text>
            ) : (
              <TextInput
                label="Owner of the new client"
                description="Empty: the owner of the hub profile's bearer"
                {...register('owner')}
                error={err('owner')}
                data-testid="dps-owner"
              />
            )}
            <Group justify="flex-end">
              <Button type="submit" data-testid="dps-next-1">
                Next
              </Button>
            </Group>
          </Stack>
        </form>
      </Stepper.Step>
      <Stepper.Step label="Enrollment group">
        <form onSubmit={(e) => void next(e)} noValidate data-testid="dps-step-group">
          <Stack>
            <TextInput
              label="Group name"
              description="Updated when DPS has a group of this name"
              {...register('group')}
              error={err('group')}
              data-autofocus
              data-testid="dps-group"
            />
            <Textarea
              label="Manufacturer certificate chain (PEM)"
              autosize
              minRows={3}
              maxRows={8}
              {...register('certificateChainPem')}
              error={err('certificateChainPem')}
              data-testid="dps-chain"
            />
            <Group>
              <FileButton onChange={(f) => void load(f, 'certificateChainPem')} accept=".pem,.crt">
                {(props) => (
                  <Button variant="default" {...props} data-testid="dps-chain-file">
                    Load the chain…
                  </Button>
                )}
              </FileButton>
              <FileButton onChange={(f) => void load(f, 'preSharedKey')}>
                {(props) => (
                  <Button variant="default" {...props} data-testid="dps-psk-file">
                    Load a pre-shared key…
                  </Button>
                )}
              </FileButton>
              <Text size="sm" c={err('preSharedKey') ? 'red' : 'dimmed'} data-testid="dps-psk">
                {err('preSharedKey') ??
                  (psk ? `pre-shared key loaded (${psk.length} bytes)` : 'no pre-shared key')}
              </Text>
            </Group>
            <Group grow align="flex-start">
              <TextInput
                label="Provider name"
                description="coap-gateway knows DPS tokens by it"
                {...register('providerName')}
                error={err('providerName')}
                data-testid="dps-provider"
              />
              <DurationField
                control={control}
                name="graceSeconds"
                label="Grace period"
                description="The previous DPS client secret keeps working this long; 0 ends it now"
                allowZero
                presets={[900, 3600, 86_400]}
                error={err('graceSeconds')}
                data-testid="dps-grace"
              />
            </Group>
            <Controller
              control={control}
              name="keepSecret"
              render={({ field }) => (
                <Checkbox
                  label="Keep the secret DPS holds (no rotation) when its hub record exists"
                  checked={field.value}
                  onChange={(e) => field.onChange(e.currentTarget.checked)}
                  data-testid="dps-keep-secret"
                />
              )}
            />
            <Group justify="space-between">
              <Button variant="default" onClick={() => setStep(0)}>
                Back
              </Button>
              <Button type="submit" data-testid="dps-next-2">
                Review
              </Button>
            </Group>
          </Stack>
        </form>
      </Stepper.Step>
      <Stepper.Step label="Review">
        {step === 2 ? (
          <ReviewStep
            values={getValues()}
            clients={list}
            onBack={() => setStep(1)}
            onApplied={(r) => {
              setResult(r)
              setStep(3)
            }}
          />
        ) : null}
      </Stepper.Step>
      <Stepper.Completed>
        {result ? <Applied result={result} grace={getValues().graceSeconds} /> : null}
      </Stepper.Completed>
    </Stepper>
  )
}

function Applied({ result, grace }: { result: DpsSetupResult; grace: number }) {
  const rotated = result.plan.some((s) => s.action === 'rotate-secret')
  return (
    <Stack data-testid="dps-applied">
      <Alert color="green" title="DPS is set up">
        DPS hub record {result.dpsHubId ?? '?'}, enrollment group {result.enrollmentGroupId ?? '?'}.
        Next: the checklist for the hub admin, then watch the devices.
      </Alert>
      {rotated ? (
        <Alert color="orange" title="The DPS client's secret was rotated" data-testid="dps-rotated">
          The new secret went to DPS only. The previous one keeps working for{' '}
          {formatDuration(grace)}: anything else using it must be given a new secret before then.
        </Alert>
      ) : null}
      <PlanTable result={result} />
    </Stack>
  )
}
