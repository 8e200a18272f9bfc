import { Anchor, Button, Center, Loader, Modal, Stack, Table, Text } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import type { AboutView } from '../../../../shared/contract/index'
import { CopyButton } from '../../components/CopyButton'
import { LoadFailed } from '../../components/LoadFailed'
import { useAbout } from './queries'

const LICENSE_URL = 'https://www.apache.org/licenses/LICENSE-2.0'

/** The facts a bug report needs, one a line, as the dialog lists them. */
export function aboutRows(about: AboutView): [label: string, value: string][] {
  return [
    ['Version', about.version],
    ['Electron', about.electron ?? 'none (headless)'],
    ['Chromium', about.chromium ?? 'none (headless)'],
    ['Node', about.node],
    ['Data directory', about.dataDir],
    ['Vault', about.vault.mode],
    ['Licence', about.license],
  ]
}

/** The header's About button and its dialog (the desktop menu's Help › About shows the same). */
export function AboutButton() {
  const [opened, { open, close }] = useDisclosure(false)
  return (
    <>
      <Button variant="subtle" size="xs" onClick={open} data-testid="about-open">
        About
      </Button>
      <Modal opened={opened} onClose={close} title="About" size="lg">
        {opened && <AboutContent />}
      </Modal>
    </>
  )
}

function AboutContent() {
  const about = useAbout(true)
  if (about.isError) return <LoadFailed what="About" onRetry={() => void about.refetch()} />
  if (!about.data) {
    return (
      <Center py="md">
        <Loader aria-label="Loading About" />
      </Center>
    )
  }
  const rows = aboutRows(about.data)
  return (
    <Stack gap="sm" data-testid="about">
      <Text fw={600}>
        {about.data.productName} {about.data.version}
      </Text>
      <Table withRowBorders={false} verticalSpacing={4}>
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th scope="row" w={140}>
                {label}
              </Table.Th>
              <Table.Td data-testid={`about-${label.toLowerCase().replace(' ', '-')}`}>
                <Text size="sm" style={{ wordBreak: 'break-all' }}>
                  {value}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="sm">
        Licensed under the{' '}
        <Anchor href={LICENSE_URL} target="_blank" rel="noreferrer">
          Apache License 2.0
        </Anchor>
        ; the full text is the LICENSE file installed with the app.
      </Text>
      <div>
        <CopyButton
          value={rows.map(([label, value]) => `${label}: ${value}`).join('\n')}
          label="About for a bug report"
          testId="about-copy"
        />
      </div>
    </Stack>
  )
}
