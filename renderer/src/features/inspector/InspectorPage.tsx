import {
  Alert,
  Badge,
  Button,
  Card,
  EmptyState,
  Group,
  List,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { useEffect } from 'react'
import { useForm } from 'react-hook-form'
import type { InspectResult, SettingsView } from '../../../../shared/contract/index'
import { JsonBlock } from '../../components/JsonBlock'
import { fieldError, resolverOptions } from '../../lib/form'
import { useNowSeconds } from '../../lib/use-now'
import { useRoute } from '../../shell/routes'
import { issuerMode, LAPTOP_REVOKED_VERDICT, type IssuerMode } from '../status/issuer-mode'
import { useStatus } from '../status/queries'
import { readableClaims } from './claims'
import { inspectFormSchema, type InspectFormOutput, type InspectFormValues } from './inspect-form'
import { inspectorMemory } from './inspector-memory'
import { LedgerRecordCard } from './LedgerRecordCard'
import { useInspectToken } from './queries'

export function InspectorPage() {
  const inspect = useInspectToken()
  const status = useStatus()
  const { param: jti } = useRoute()
  const {
    register,
    handleSubmit,
    getValues,
    formState: { errors },
  } = useForm<InspectFormValues, unknown, InspectFormOutput>({
    resolver: zodResolver(inspectFormSchema, resolverOptions),
    defaultValues: inspectorMemory.values,
  })
  // Remembered when the page unmounts (a page change), restored as the defaults above.
  useEffect(() => () => void (inspectorMemory.values = getValues()), [getValues])
  const result = inspect.data ?? inspectorMemory.result
  const mode = status.data ? issuerMode(status.data) : null

  return (
    <Stack>
      <Title order={2}>Inspector</Title>
      <Text c="dimmed" size="sm">
        Paste any JWT to decode it, check its signature and see what a plgd hub would make of it.
      </Text>
      <Card
        withBorder
        component="form"
        onSubmit={handleSubmit((input) =>
          inspect.mutate(input, {
            onSuccess: (r) => {
              inspectorMemory.result = r
            },
          }),
        )}
        noValidate
      >
        <Stack>
          <Textarea
            label="Token"
            placeholder="eyJhbGciOi…"
            autosize
            minRows={4}
            maxRows={12}
            ff="monospace"
            spellCheck={false}
            error={fieldError(errors, 'token')}
            data-testid="inspector-input"
            {...register('token')}
          />
          <TextInput
            label="Verify against another authority (optional)"
            description="Its discovery document and JWKS are used instead of this issuer's keys"
            placeholder="https://auth.example.com"
            error={fieldError(errors, 'authority')}
            data-testid="inspector-authority"
            {...register('authority')}
          />
          <Group>
            <Button type="submit" loading={inspect.isPending} data-testid="inspector-submit">
              Inspect
            </Button>
          </Group>
        </Stack>
      </Card>
      {jti && <LedgerRecordCard jti={jti} mode={mode} />}
      {result ? (
        <InspectionReport result={result} mode={mode} settings={status.data?.settings} />
      ) : (
        <EmptyState
          title="Nothing inspected yet"
          description="The decoded header and payload, the signature check and the hub's verdict appear here."
          data-testid="inspector-empty"
        />
      )}
    </Stack>
  )
}

/** The note main adds in laptop mode for a token revoked here (not a hub's rejection). */
const LAPTOP_REVOKED_NOTE = /^revoked here\b/i

export function InspectionReport({
  result,
  mode = null,
  settings,
}: {
  result: InspectResult
  /** null while the issuer's mode is not known. */
  mode?: IssuerMode | null
  settings?: Pick<SettingsView, 'ownerClaim' | 'deviceIdClaim'>
}) {
  const { verification } = result
  const now = useNowSeconds(30_000)
  // In laptop mode a revocation never reaches a hub: it is not a reason a hub would reject.
  const revokedUnseen =
    mode !== 'station' && result.hubRejections.some((r) => LAPTOP_REVOKED_NOTE.test(r))
  const hubRejections = revokedUnseen
    ? result.hubRejections.filter((r) => !LAPTOP_REVOKED_NOTE.test(r))
    : result.hubRejections
  return (
    <Stack data-testid="inspector-result">
      <Card withBorder data-testid="inspector-verification" data-valid={verification.valid}>
        <Group gap="sm">
          <Badge color={verification.valid ? 'green' : 'red'} variant="filled">
            {verification.valid ? 'signature valid' : 'signature invalid'}
          </Badge>
          <Text size="sm">checked against {verification.checkedAgainst}</Text>
        </Group>
        {verification.error && (
          <Text size="sm" c="red" mt="xs">
            {verification.error}
          </Text>
        )}
      </Card>

      {revokedUnseen && (
        <Alert
          color="yellow"
          title="Revoked, but not at the hubs"
          data-testid="inspector-revoked-unseen"
        >
          {LAPTOP_REVOKED_VERDICT}.
        </Alert>
      )}

      {hubRejections.length === 0 ? (
        <Alert
          color="green"
          title="A plgd hub would accept this token"
          data-testid="inspector-accepted"
        >
          No rule a plgd hub applies to this token fails.
        </Alert>
      ) : (
        <Alert
          color="red"
          title={`A plgd hub would reject this token (${hubRejections.length})`}
          data-testid="inspector-rejections"
        >
          <List size="sm">
            {hubRejections.map((reason) => (
              <List.Item key={reason} data-testid="inspector-rejection">
                {reason}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}

      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Stack gap={4}>
          <Title order={3} size="h5">
            Header
          </Title>
          {result.header ? (
            <JsonBlock value={result.header} testId="inspector-header" />
          ) : (
            <Text size="sm" c="dimmed" data-testid="inspector-header">
              Not decodable
            </Text>
          )}
        </Stack>
        <Stack gap={4}>
          <Title order={3} size="h5">
            Payload
          </Title>
          {result.payload ? (
            <>
              <ClaimsTable payload={result.payload} now={now} settings={settings} />
              <JsonBlock value={result.payload} testId="inspector-payload" />
            </>
          ) : (
            <Text size="sm" c="dimmed" data-testid="inspector-payload">
              Not decodable
            </Text>
          )}
        </Stack>
      </SimpleGrid>
    </Stack>
  )
}

export function ClaimsTable({
  payload,
  now,
  settings,
  testId = 'inspector-claims',
}: {
  payload: Record<string, unknown>
  now: number
  settings?: Pick<SettingsView, 'ownerClaim' | 'deviceIdClaim'>
  testId?: string
}) {
  const lines = readableClaims(payload, now, settings ?? {})
  return (
    <Table.ScrollContainer minWidth={320}>
      <Table data-testid={testId} layout="fixed">
        <Table.Tbody>
          {lines.map((l) => (
            <Table.Tr key={l.claim} data-testid={`claim-${l.claim}`}>
              <Table.Th scope="row" w="35%" style={{ wordBreak: 'break-all' }}>
                <Text size="sm" ff="monospace">
                  {l.claim}
                </Text>
                {l.label && (
                  <Text size="xs" c="dimmed">
                    {l.label}
                  </Text>
                )}
              </Table.Th>
              <Table.Td style={{ wordBreak: 'break-all' }}>
                {l.human && <Text size="sm">{l.human}</Text>}
                <Text size="xs" c="dimmed" ff="monospace">
                  {l.raw}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}
