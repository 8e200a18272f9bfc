import { Button, useComputedColorScheme, useMantineColorScheme } from '@mantine/core'

/** Light/dark switch; the choice is persisted by the provider's localStorage manager. */
export function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme()
  const computed = useComputedColorScheme('light', { getInitialValueInEffect: false })
  const next = computed === 'dark' ? 'light' : 'dark'
  return (
    <Button
      variant="default"
      size="xs"
      onClick={() => setColorScheme(next)}
      aria-label={`Switch to ${next} theme`}
      data-testid="theme-toggle"
    >
      {next === 'dark' ? 'Dark theme' : 'Light theme'}
    </Button>
  )
}
