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
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core'
import { zodResolver } from '@hookform/resolvers/zod'
import { useForm } from 'react-hook-form'
import type { InspectResult } from '../../../../shared/contract/index'
import { JsonBlock } from '../../components/JsonBlock'
import { fieldError, resolverOptions } from '../../lib/form'
import { inspectFormSchema, type InspectFormOutput, type InspectFormValues } from './inspect-form'
import { useInspectToken } from './queries'

export function InspectorPage() {
  const inspect = useInspectToken()
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm<InspectFormValues, unknown, InspectFormOutput>({
    resolver: zodResolver(inspectFormSchema, resolverOptions),
    defaultValues: { token: '', authority: '' },
  })

  return (
    <Stack>
      <Title order={2}>Inspector</Title>
      <Text c="dimmed" size="sm">
        Paste any JWT to decode it, check its signature and see what a plgd hub would make of it.
      </Text>
      <Card
        withBorder
        component="form"
        onSubmit={handleSubmit((input) => inspect.mutate(input))}
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
      {inspect.data ? (
        <InspectionReport result={inspect.data} />
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

export function InspectionReport({ result }: { result: InspectResult }) {
  const { verification, hubRejections } = result
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
            <JsonBlock value={result.payload} testId="inspector-payload" />
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
