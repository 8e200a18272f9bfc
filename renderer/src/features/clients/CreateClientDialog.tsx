import {
  Button,
  Group,
  Modal,
  Radio,
  SegmentedControl,
  Input,
  Stack,
  Stepper,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { useLayoutEffect, useState } from 'react'
import { Controller, useForm, useWatch } from 'react-hook-form'
import { DEFAULT_CLIENT_LIFETIME_SECONDS } from '../../../../shared/constants'
import type { ClientWithSecret } from '../../../../shared/contract/index'
import { TOKEN_TYPES, type AuthMethod } from '../../../../shared/enums'
import { fieldError, resolverOptions } from '../../lib/form'
import { formatDuration } from '../../lib/format'
import {
  AUTH_METHOD_OPTIONS,
  CLIENT_FORM_STEPS,
  clientFormSchema,
  emptyClientForm,
  type ClientFormOutput,
  type ClientFormValues,
  stepOfFirstError,
} from './client-form'
import { useAddClient, useClients } from './queries'
import { DurationField } from '../../components/DurationField'
import { formatExactDuration } from '../../components/duration'
import { useStatus } from '../status/queries'

interface CreateClientDialogProps {
  opened: boolean
  onClose: () => void
  onCreated: (result: ClientWithSecret) => void
}

export function CreateClientDialog({ opened, onClose, onCreated }: CreateClientDialogProps) {
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title="Create client"
      size="xl"
      attributes={{ content: { 'data-testid': 'create-client-dialog' } }}
    >
      <CreateClientForm onCancel={onClose} onCreated={onCreated} />
    </Modal>
  )
}

const LAST_STEP = CLIENT_FORM_STEPS.length - 1

function CreateClientForm({
  onCancel,
  onCreated,
}: {
  onCancel: () => void
  onCreated: (result: ClientWithSecret) => void
}) {
  const [step, setStep] = useState(0)
  const addClient = useAddClient()
  const existing = useClients().data
  const issuerMax = useStatus().data?.settings.maxLifetimeSeconds
  const {
    register,
    control,
    handleSubmit,
    trigger,
    setFocus,
    setError,
    getValues,
    formState: { errors },
  } = useForm<ClientFormValues, unknown, ClientFormOutput>({
    resolver: zodResolver(clientFormSchema, resolverOptions),
    defaultValues: emptyClientForm,
    mode: 'onTouched',
  })
  const authMethod = useWatch({ control, name: 'auth.method' })

  // The dialog focuses the id field on open (data-autofocus); later steps focus their first field.
  // Layout effect: focus moves in the same frame the step appears (Enter right away works).
  useLayoutEffect(() => {
    if (step === 1) setFocus('audiences')
  }, [step, setFocus])

  /**
   * What only the console's state can tell, checked at the step where it is typed: a taken id
   * (step 1), a lifetime over the issuer's cap (step 2). Main would refuse both at the end.
   */
  const stepConflict = (at: number): boolean => {
    const { id, maxLifetimeSeconds } = getValues()
    if (at === 0 && existing?.some((c) => c.id === id.trim())) {
      setError('id', { message: `a client ${id.trim()} already exists: choose another id` })
      return true
    }
    if (
      at === 1 &&
      issuerMax !== undefined &&
      typeof maxLifetimeSeconds === 'number' &&
      maxLifetimeSeconds > issuerMax
    ) {
      setError('maxLifetimeSeconds', {
        message: `over the issuer's maximum of ${formatExactDuration(issuerMax)} (Settings: maximum lifetime)`,
      })
      return true
    }
    return false
  }

  const next = async () => {
    const ok = await trigger([...CLIENT_FORM_STEPS[step]!.fields])
    if (ok && !stepConflict(step)) setStep((s) => Math.min(s + 1, LAST_STEP))
  }

  const create = handleSubmit(
    (input) => {
      // The list may have changed since the step was passed (another window added the id).
      const back = [0, 1].find((at) => stepConflict(at))
      if (back !== undefined) setStep(back)
      else addClient.mutate(input, { onSuccess: (result) => onCreated(result) })
    },
    // A check on the whole client (e.g. owner required) may concern an earlier step.
    (invalid) => setStep(stepOfFirstError(invalid)),
  )

  return (
    <form
      noValidate
      data-testid="create-client-form"
      onSubmit={(e) => {
        // Enter on an earlier step moves on; only the last step creates the client.
        if (step < LAST_STEP) {
          e.preventDefault()
          void next()
        } else {
          void create(e)
        }
      }}
    >
      <Stack>
        <Stepper active={step} onStepClick={setStep} allowNextStepsSelect={false} size="sm">
          <Stepper.Step label={CLIENT_FORM_STEPS[0].label}>
            <Stack>
              <TextInput
                label="Client id"
                description="Letters, digits and . _ ~ - (e.g. dps-station-1)"
                required
                data-autofocus
                error={fieldError(errors, 'id')}
                data-testid="client-id-input"
                {...register('id')}
              />
              <Controller
                control={control}
                name="auth.method"
                render={({ field }) => (
                  <Radio.Group
                    label="How the client authenticates"
                    required
                    value={field.value}
                    onChange={(v) => field.onChange(v)}
                    name={field.name}
                  >
                    <Stack gap="xs" mt="xs">
                      {AUTH_METHOD_OPTIONS.map((m) => (
                        <Radio
                          key={m.value}
                          value={m.value}
                          label={m.label}
                          description={AUTH_DESCRIPTIONS[m.value]}
                          data-testid={`client-auth-${m.value}`}
                        />
                      ))}
                    </Stack>
                  </Radio.Group>
                )}
              />
              <TextInput
                label="Owner"
                description={
                  authMethod === 'user_assertion'
                    ? 'Optional: the user assertion names the owner'
                    : "The owner claim every token of this client carries (plgd's https://plgd.dev/owner)"
                }
                required={authMethod !== 'user_assertion'}
                error={fieldError(errors, 'owner')}
                data-testid="client-owner-input"
                {...register('owner')}
              />
              <TextInput
                label="Other allowed owners"
                description="Owners it may also mint for, comma or space separated (coap-gateway style). Never “any”."
                error={fieldError(errors, 'allowedOwners')}
                data-testid="client-allowed-owners-input"
                {...register('allowedOwners')}
              />
            </Stack>
          </Stepper.Step>

          <Stepper.Step label={CLIENT_FORM_STEPS[1].label}>
            <Stack>
              <TextInput
                label="Audiences"
                description="Comma or space separated"
                error={fieldError(errors, 'audiences')}
                data-testid="client-audiences-input"
                {...register('audiences')}
              />
              <TextInput
                label="Scopes"
                description="Comma or space separated, e.g. r:* w:*"
                error={fieldError(errors, 'scopes')}
                data-testid="client-scopes-input"
                {...register('scopes')}
              />
              <DurationField
                control={control}
                name="maxLifetimeSeconds"
                label="Maximum token lifetime"
                description={`Empty: ${formatDuration(DEFAULT_CLIENT_LIFETIME_SECONDS)}`}
                caps={issuerMax === undefined ? [] : [{ label: 'issuer', seconds: issuerMax }]}
                error={fieldError(errors, 'maxLifetimeSeconds')}
                data-testid="client-max-lifetime-input"
              />
              <Controller
                control={control}
                name="tokenType"
                render={({ field }) => (
                  <Input.Wrapper
                    label="Token type (typ header)"
                    description="at+jwt marks RFC 9068 access tokens"
                  >
                    <div>
                      <SegmentedControl
                        data={[...TOKEN_TYPES]}
                        value={field.value ?? 'JWT'}
                        onChange={field.onChange}
                        name={field.name}
                        data-testid="client-token-type"
                      />
                    </div>
                  </Input.Wrapper>
                )}
              />
              <Controller
                control={control}
                name="allowDeviceId"
                render={({ field }) => (
                  <Switch
                    label="Allow a device id claim"
                    description="DPS and the coap-gateway ask for tokens bound to one device"
                    checked={field.value}
                    onChange={(e) => field.onChange(e.currentTarget.checked)}
                    onBlur={field.onBlur}
                    name={field.name}
                    ref={field.ref}
                    data-testid="client-allow-device-id"
                  />
                )}
              />
              <Textarea
                label="Extra claims (JSON object)"
                description='Added to every token, e.g. {"tenant": "acme"}'
                autosize
                minRows={2}
                ff="monospace"
                error={fieldError(errors, 'extraClaims')}
                data-testid="client-extra-claims-input"
                {...register('extraClaims')}
              />
            </Stack>
          </Stepper.Step>

          <Stepper.Step label={CLIENT_FORM_STEPS[2].label}>
            <Stack>
              {authMethod === 'client_secret' && (
                <Text size="sm" data-testid="client-secret-note">
                  A client secret is generated when the client is created. It is shown once, with a
                  copy button; the console keeps only a keyed hash of it.
                </Text>
              )}
              {typeof errors.auth?.message === 'string' && (
                <Text size="sm" c="red" role="alert">
                  {errors.auth.message}
                </Text>
              )}
              {authMethod === 'private_key_jwt' && (
                <>
                  <Textarea
                    label="Public JWKS (JSON)"
                    description="The keys the client signs its assertions with; public keys only"
                    autosize
                    minRows={3}
                    ff="monospace"
                    error={fieldError(errors, 'auth.jwks')}
                    data-testid="client-jwks-input"
                    {...register('auth.jwks')}
                  />
                  <TextInput
                    label="…or JWKS URI"
                    placeholder="https://device-ca.example.com/jwks.json"
                    error={fieldError(errors, 'auth.jwksUri')}
                    data-testid="client-jwks-uri-input"
                    {...register('auth.jwksUri')}
                  />
                </>
              )}
              {authMethod === 'user_assertion' && (
                <>
                  <TextInput
                    label="Trusted authority URL(s)"
                    description="Issuers whose user tokens this client may exchange; comma or space separated https:// URLs"
                    error={fieldError(errors, 'auth.authorities')}
                    data-testid="client-authorities-input"
                    {...register('auth.authorities')}
                  />
                  <Textarea
                    label="CA certificate (PEM, optional)"
                    description="For authorities whose TLS certificate the system does not trust"
                    autosize
                    minRows={2}
                    ff="monospace"
                    error={fieldError(errors, 'auth.caPem')}
                    data-testid="client-ca-pem-input"
                    {...register('auth.caPem')}
                  />
                </>
              )}
            </Stack>
          </Stepper.Step>
        </Stepper>

        <Group justify="space-between">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Group>
            {step > 0 && (
              <Button variant="default" onClick={() => setStep((s) => s - 1)}>
                Back
              </Button>
            )}
            {step < LAST_STEP ? (
              <Button type="submit" data-testid="create-client-next">
                Next
              </Button>
            ) : (
              <Button
                type="submit"
                loading={addClient.isPending}
                data-testid="create-client-submit"
              >
                Create client
              </Button>
            )}
          </Group>
        </Group>
      </Stack>
    </form>
  )
}

const AUTH_DESCRIPTIONS: Record<AuthMethod, string> = {
  client_secret: 'A generated secret, shown once (client_secret_post / client_secret_basic)',
  private_key_jwt: 'RFC 7523: the client signs an assertion with its own key',
  user_assertion: 'plgd style: the client presents a user token from a trusted authority',
}
