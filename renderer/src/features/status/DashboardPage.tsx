import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  FileButton,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { useState } from 'react'
import { useForm, useWatch } from 'react-hook-form'
import type { ClockSkew, StatusView } from '../../../../shared/contract/index'
import { CopyButton } from '../../components/CopyButton'
import { downloadText } from '../../lib/download'
import { fieldError, resolverOptions } from '../../lib/form'
import { formatTime } from '../../lib/format'
import { readFileText } from '../../lib/read-file'
import { titleFor } from '../../lib/notify'
import {
  clockSkewFormSchema,
  SKEW_WARNING_SECONDS,
  type ClockSkewFormOutput,
  type ClockSkewFormValues,
} from './clock-skew-form'
import { IssuerExportsMenu } from '../exports/IssuerExportsMenu'
import { LoopbackNote } from '../settings/LoopbackNote'
import { issuerMode, MODE_DESCRIPTIONS } from './issuer-mode'
import { useClockSkew, useStatus } from './queries'

export const CA_CERT_FILENAME = 'plgd-m2m-console-ca.pem'

export function DashboardPage() {
  const { data: status } = useStatus()
  // The shell renders pages only once status has loaded.
  if (!status) return null
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Dashboard</Title>
        <IssuerExportsMenu />
      </Group>
      <Warnings warnings={status.warnings} />
      <LoopbackNote status={status} />
      <IssuerCard status={status} />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <ActiveKeyCard status={status} />
        <CountsCard status={status} />
      </SimpleGrid>
      {status.authentication && <AuthenticationCard stats={status.authentication} />}
      <ClockSkewCard />
    </Stack>
  )
}

function Warnings({ warnings }: { warnings: StatusView['warnings'] }) {
  if (warnings.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="dashboard-warnings" data-count={0}>
        No warnings.
      </Text>
    )
  }
  return (
    <Stack gap="xs" data-testid="dashboard-warnings" data-count={warnings.length}>
      {warnings.map((w) => (
        <Alert
          key={w.code}
          color="yellow"
          title={titleFor(w.code)}
          data-testid={`warning-${w.code}`}
        >
          {w.message}
        </Alert>
      ))}
    </Stack>
  )
}

function UrlRow({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <Table.Tr>
      <Table.Th scope="row" w={160}>
        {label}
      </Table.Th>
      <Table.Td>
        <Code data-testid={`dashboard-${testId}`} style={{ wordBreak: 'break-all' }}>
          {value}
        </Code>
      </Table.Td>
      <Table.Td w={90}>
        <CopyButton value={value} label={label} testId={`copy-${testId}`} />
      </Table.Td>
    </Table.Tr>
  )
}

function IssuerCard({ status }: { status: StatusView }) {
  const { issuer, caCertPem } = status
  const mode = issuerMode(status)
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4">
          Issuer
        </Title>
        <Group gap="xs">
          <Badge color={issuer.running ? 'green' : 'gray'} variant="light">
            {issuer.running ? 'running' : 'stopped'}
          </Badge>
          <Badge
            color={mode === 'station' ? 'blue' : 'gray'}
            variant="light"
            data-testid="dashboard-mode"
            data-mode={mode}
          >
            {mode} mode
          </Badge>
        </Group>
      </Group>
      <Text size="sm" c="dimmed" mb="xs" data-testid="dashboard-mode-description">
        {MODE_DESCRIPTIONS[mode]}
        {mode === 'laptop' && ' (start with serve --station for hubs to see revocations).'}
      </Text>
      <Table>
        <Table.Tbody>
          <UrlRow label="Issuer URL" value={issuer.issuer} testId="issuer-url" />
          <UrlRow label="Token endpoint" value={issuer.tokenEndpoint} testId="token-endpoint" />
          <UrlRow label="JWKS URI" value={issuer.jwksUri} testId="jwks-uri" />
        </Table.Tbody>
      </Table>
      <Group mt="sm">
        <Button
          variant="light"
          disabled={!caCertPem}
          onClick={() =>
            caCertPem && downloadText(CA_CERT_FILENAME, caCertPem, 'application/x-pem-file')
          }
          data-testid="download-ca-cert"
        >
          Download CA certificate
        </Button>
        <Text size="sm" c="dimmed">
          {caCertPem
            ? 'Hubs must trust this CA to fetch the JWKS over TLS.'
            : 'The issuer serves plain HTTP: there is no CA certificate.'}
        </Text>
      </Group>
    </Card>
  )
}

function ActiveKeyCard({ status }: { status: StatusView }) {
  const key = status.activeKey
  return (
    <Card withBorder data-testid="dashboard-active-key">
      <Title order={3} size="h4" mb="xs">
        Active signing key
      </Title>
      {key ? (
        <Stack gap={4}>
          <Group gap="xs">
            <Code>{key.kid}</Code>
            <Badge variant="light">{key.alg}</Badge>
          </Group>
          <Text size="sm" c="dimmed">
            {key.origin === 'imported' ? 'Imported' : 'Generated'} {formatTime(key.createdAt)};
            active since {formatTime(key.activatedAt)}
          </Text>
        </Stack>
      ) : (
        <Text size="sm" c="dimmed">
          No active key: tokens cannot be issued until one is generated or imported.
        </Text>
      )}
    </Card>
  )
}

function CountsCard({ status }: { status: StatusView }) {
  const { counts } = status
  return (
    <Card withBorder data-testid="dashboard-counts">
      <Title order={3} size="h4" mb="xs">
        Totals
      </Title>
      <SimpleGrid cols={3}>
        <Stat label="Clients" value={counts.clients} testId="count-clients" />
        <Stat label="Tokens issued" value={counts.tokens} testId="count-tokens" />
        <Stat label="Active tokens" value={counts.activeTokens} testId="count-active-tokens" />
      </SimpleGrid>
    </Card>
  )
}

/** Failed client authentications since start: a brute force or a lockout attempt shows here. */
function AuthenticationCard({ stats }: { stats: NonNullable<StatusView['authentication']> }) {
  const attacked = stats.blocks > 0 || stats.throttled > 0
  return (
    <Card withBorder data-testid="dashboard-authentication" data-attacked={attacked || undefined}>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4">
          Failed client authentications
        </Title>
        {attacked && (
          <Badge color="red" variant="light" data-testid="authentication-blocked-badge">
            addresses blocked
          </Badge>
        )}
      </Group>
      <SimpleGrid cols={3}>
        <Stat label="Failed" value={stats.failures} testId="count-auth-failures" />
        <Stat label="Addresses blocked" value={stats.blocks} testId="count-auth-blocks" />
        <Stat
          label="Requests refused (429)"
          value={stats.throttled}
          testId="count-auth-throttled"
        />
      </SimpleGrid>
      <Text size="sm" c="dimmed" mt="xs">
        Since {formatTime(stats.since)}
        {stats.lastFailureAt !== null && `; last failure ${formatTime(stats.lastFailureAt)}`}. An
        address that fails 10 times within a minute is refused for a minute; the issuer log names
        the addresses and client ids.
      </Text>
    </Card>
  )
}

function Stat({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <div>
      <Text size="xl" fw={700} data-testid={testId}>
        {value}
      </Text>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
    </div>
  )
}

function ClockSkewCard() {
  const skew = useClockSkew()
  const {
    register,
    handleSubmit,
    setValue,
    control,
    formState: { errors },
  } = useForm<ClockSkewFormValues, unknown, ClockSkewFormOutput>({
    resolver: zodResolver(clockSkewFormSchema, resolverOptions),
    defaultValues: { url: '', caPem: '' },
  })
  const [caName, setCaName] = useState<string | null>(null)
  const caPem = useWatch({ control, name: 'caPem' })
  return (
    <Card withBorder>
      <Title order={3} size="h4" mb={4}>
        Clock skew
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        plgd rejects a token whose <Code>iat</Code> lies in its future, with no leeway. Compare this
        machine&apos;s clock with a hub&apos;s (any HTTPS URL of it).
      </Text>
      <form onSubmit={handleSubmit((input) => skew.mutate(input))} noValidate>
        <Group align="flex-start">
          <TextInput
            label="Hub URL"
            placeholder="https://hub.example.com"
            style={{ flex: 1 }}
            error={fieldError(errors, 'url')}
            data-testid="clock-skew-url"
            {...register('url')}
          />
          <Button type="submit" mt={25} loading={skew.isPending} data-testid="clock-skew-submit">
            Check
          </Button>
        </Group>
        <Group gap="xs" mt="xs">
          <FileButton
            accept=".pem,.crt,.cer,application/x-pem-file"
            onChange={async (file) => {
              if (!file) return
              setValue('caPem', await readFileText(file), { shouldValidate: true })
              setCaName(file.name)
            }}
          >
            {(props) => (
              <Button variant="default" size="xs" {...props} data-testid="clock-skew-ca">
                CA file (PEM)…
              </Button>
            )}
          </FileButton>
          <Text size="xs" c={errors.caPem ? 'red' : 'dimmed'} data-testid="clock-skew-ca-state">
            {fieldError(errors, 'caPem') ??
              (caPem
                ? `trusting ${caName ?? 'the CA file'} for this hub`
                : 'for a hub behind a private CA; otherwise the system’s trusted CAs')}
          </Text>
        </Group>
      </form>
      {skew.data && <SkewResult result={skew.data} />}
    </Card>
  )
}

function SkewResult({ result }: { result: ClockSkew }) {
  const { skewSeconds, roundTripMs } = result
  const bad = Math.abs(skewSeconds) >= SKEW_WARNING_SECONDS
  const direction = skewSeconds > 0 ? 'ahead of' : skewSeconds < 0 ? 'behind' : 'in step with'
  const amount = `${Math.abs(skewSeconds).toFixed(2)} s`
  return (
    <Alert
      mt="sm"
      color={bad ? 'yellow' : 'green'}
      title={skewSeconds === 0 ? 'Clocks agree' : `The hub is ${amount} ${direction} this machine`}
      data-testid="clock-skew-result"
      data-skew={skewSeconds}
      data-warning={bad || undefined}
    >
      <Text size="sm">
        Skew {skewSeconds > 0 ? '+' : ''}
        {skewSeconds.toFixed(2)} s (round trip {Math.round(roundTripMs)} ms).{' '}
        {bad
          ? skewSeconds < 0
            ? 'The hub would reject fresh tokens as issued in the future: fix its clock (NTP) or set an iat backdate in the issuer settings.'
            : 'Clocks differ by a second or more: keep them in sync with NTP.'
          : 'Within plgd’s tolerance.'}
      </Text>
    </Alert>
  )
}
