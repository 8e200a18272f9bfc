import { Badge, Code, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import type { IssuedToken } from '../../../../shared/contract/index'
import { CopyButton } from '../../components/CopyButton'
import { JsonBlock } from '../../components/JsonBlock'
import { decodeJwt } from '../../lib/jwt'
import { formatDuration, formatTime } from '../../lib/format'
import { useNowSeconds } from '../../lib/use-now'

/** A freshly minted token: copy it, read its claims, watch it expire. */
export function TokenResult({ token }: { token: IssuedToken }) {
  const decoded = decodeJwt(token.accessToken)
  return (
    <Stack data-testid="token-result">
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          Access token
        </Text>
        <Group gap="xs">
          <ExpiryCountdown expiresAt={token.expiresAt} />
          <CopyButton value={token.accessToken} label="access token" testId="copy-token" />
        </Group>
      </Group>
      <Code
        block
        data-testid="token-value"
        style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}
      >
        {token.accessToken}
      </Code>
      <Text size="sm" c="dimmed">
        jti <Code>{token.jti}</Code> · expires {formatTime(token.expiresAt)}
        {token.scope ? (
          <>
            {' '}
            · scope <Code>{token.scope}</Code>
          </>
        ) : null}
      </Text>
      {decoded ? (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Stack gap={4}>
            <Title order={4} size="h6">
              Header
            </Title>
            <JsonBlock value={decoded.header} testId="token-header-json" />
          </Stack>
          <Stack gap={4}>
            <Title order={4} size="h6">
              Payload
            </Title>
            <JsonBlock value={decoded.payload} testId="token-payload-json" />
          </Stack>
        </SimpleGrid>
      ) : (
        <Text size="sm" c="dimmed">
          The token is not a compact JWT; nothing to decode.
        </Text>
      )}
    </Stack>
  )
}

export function ExpiryCountdown({ expiresAt }: { expiresAt: number }) {
  const now = useNowSeconds()
  const left = expiresAt - now
  return (
    <Badge
      color={left <= 0 ? 'red' : left < 60 ? 'orange' : 'green'}
      variant="light"
      role="timer"
      aria-live="off"
      data-testid="token-countdown"
      data-seconds-left={Math.max(0, left)}
    >
      {left <= 0 ? 'expired' : `expires in ${formatDuration(left)}`}
    </Badge>
  )
}
