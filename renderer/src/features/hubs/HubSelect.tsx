import { Anchor, Select, Text } from '@mantine/core'
import { useEffect } from 'react'
import { pageHref } from '../../shell/routes'
import { useHubs } from './queries'

interface HubSelectProps {
  value: string | null
  onChange: (name: string | null) => void
  label?: string
}

/**
 * Picks a hub profile by name, for the DPS, configurations and devices pages. With one hub it
 * is chosen at once; with none, a link leads to the Hubs page to add one.
 */
export function HubSelect({ value, onChange, label = 'Hub' }: HubSelectProps) {
  const hubs = useHubs()
  const names = (hubs.data ?? []).map((h) => h.name)
  const only = names.length === 1 ? names[0] : undefined
  useEffect(() => {
    if (value === null && only !== undefined) onChange(only)
  }, [value, only, onChange])

  if (hubs.data && names.length === 0) {
    return (
      <Text size="sm" data-testid="hub-select-empty">
        No hub yet.{' '}
        <Anchor href={pageHref('hubs')} data-testid="hub-select-add">
          Add a hub
        </Anchor>{' '}
        first.
      </Text>
    )
  }
  return (
    <Select
      label={label}
      placeholder={hubs.isLoading ? 'Loading hubs…' : 'Choose a hub'}
      data={names}
      value={value}
      onChange={onChange}
      searchable
      allowDeselect={false}
      nothingFoundMessage="No hub by that name"
      error={hubs.isError ? 'the hubs could not be read' : undefined}
      w={280}
      data-testid="hub-select"
    />
  )
}
