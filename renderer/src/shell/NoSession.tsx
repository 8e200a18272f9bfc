import { Alert, Center, Code, Container, Stack, Text, Title } from '@mantine/core'

/** Headless without a session token (and not inside Electron): say how to get one. */
export function NoSession() {
  return (
    <Container size="sm" py="xl" data-testid="no-session">
      <Center>
        <Stack>
          <Title order={1}>plgd M2M Console</Title>
          <Alert color="yellow" title="No console session">
            <Stack gap="xs">
              <Text>
                Open the console with the URL printed by <Code>plgd-m2m-console serve</Code>.
              </Text>
              <Text size="sm" c="dimmed">
                That URL carries a session token (<Code>#session=…</Code>) that lets this page talk
                to the running console. It is kept for this browser tab only; a new tab or a
                restarted console needs the URL again.
              </Text>
            </Stack>
          </Alert>
        </Stack>
      </Center>
    </Container>
  )
}
