import { Stack, Tabs, Title } from '@mantine/core'
import { useState } from 'react'
import { HubSelect } from '../hubs/HubSelect'
import { ChecklistPanel } from './ChecklistPanel'
import { SetupWizard } from './SetupWizard'
import { WatchPanel } from './WatchPanel'

/** DPS onboarding: set up DPS for a hub, watch devices provision, the hub admin's checklist. */
export function DpsPage() {
  const [hub, setHub] = useState<string | null>(null)
  return (
    <Stack data-testid="dps-page">
      <Title order={2}>DPS onboarding</Title>
      <HubSelect value={hub} onChange={setHub} />
      <Tabs defaultValue="setup" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="setup">Set up</Tabs.Tab>
          <Tabs.Tab value="watch">Watch devices</Tabs.Tab>
          <Tabs.Tab value="checklist">Checklist</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="setup" pt="md">
          <SetupWizard hub={hub} />
        </Tabs.Panel>
        <Tabs.Panel value="watch" pt="md">
          <WatchPanel hub={hub} />
        </Tabs.Panel>
        <Tabs.Panel value="checklist" pt="md">
          <ChecklistPanel hub={hub} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  )
}
