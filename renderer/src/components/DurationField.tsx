import { Button, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core'
import { useState, type Ref } from 'react'
import { Controller, type Control, type FieldValues, type Path } from 'react-hook-form'
import {
  DURATION_UNITS,
  formatExactDuration,
  parseDuration,
  splitDuration,
  type DurationUnit,
} from './duration'

/** A limit shown next to the field ("client dps: 1 h"); presets above the lowest are disabled. */
export interface DurationCap {
  label: string
  seconds: number
}

export const DEFAULT_PRESETS = [900, 3600, 86_400] as const

type DurationFieldProps<T extends FieldValues, C, O extends FieldValues> = {
  control: Control<T, C, O>
  name: Path<T>
  label: string
  description?: string
  caps?: DurationCap[]
  presets?: readonly number[]
  error?: string
  required?: boolean
  placeholder?: string
  /** 0 is a duration here (a grace period that ends now). */
  allowZero?: boolean
  /** The unit a bare number is read in while the field is empty. */
  defaultUnit?: DurationUnit
  'data-testid': string
}

/** The text and unit a form value shows as: a number of seconds in its largest exact unit. */
function display(value: unknown, fallback: DurationUnit): { text: string; unit: DurationUnit } {
  if (value === 0) return { text: '0', unit: fallback }
  if (typeof value === 'number' && value > 0) {
    const { amount, unit } = splitDuration(value)
    return { text: String(amount), unit }
  }
  return { text: typeof value === 'string' ? value : '', unit: fallback }
}

/**
 * Every lifetime and grace field: a number with a unit (s, min, h, d) and presets. The form
 * value is whole seconds, '' when empty, or the typed text when it is not a duration (so the
 * form's schema refuses it); the field says why as it is typed. Caps are shown beside it.
 */
export function DurationField<T extends FieldValues, C, O extends FieldValues>({
  control,
  name,
  ...props
}: DurationFieldProps<T, C, O>) {
  return (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <DurationInput
          {...props}
          value={field.value as unknown}
          onChange={field.onChange}
          onBlur={field.onBlur}
          name={field.name}
          inputRef={field.ref}
        />
      )}
    />
  )
}

type DurationInputProps = Omit<
  DurationFieldProps<FieldValues, unknown, FieldValues>,
  'control' | 'name'
> & {
  value: unknown
  onChange: (value: number | string) => void
  onBlur: () => void
  name: string
  inputRef: Ref<HTMLInputElement>
}

function DurationInput({
  label,
  description,
  caps = [],
  presets = DEFAULT_PRESETS,
  error,
  required,
  placeholder,
  allowZero = false,
  defaultUnit = 's',
  'data-testid': testId,
  value,
  onChange,
  onBlur,
  name,
  inputRef,
}: DurationInputProps) {
  const [state, setState] = useState(() => display(value, defaultUnit))
  const [touched, setTouched] = useState(false)
  // What this field last gave the form: a different value came from outside (a form reset).
  const [emitted, setEmitted] = useState<unknown>(value)
  if (value !== emitted) {
    setEmitted(value)
    setState(display(value, defaultUnit))
  }

  const parsed = parseDuration(state.text, state.unit, allowZero)
  const lowestCap = caps.length ? Math.min(...caps.map((c) => c.seconds)) : undefined
  const overCap =
    parsed.kind === 'ok' && lowestCap !== undefined && parsed.seconds > lowestCap
      ? `at most ${formatExactDuration(lowestCap)}`
      : undefined
  const ownError = parsed.kind === 'invalid' && touched ? parsed.message : undefined

  const emit = (text: string, unit: DurationUnit) => {
    setState({ text, unit })
    const p = parseDuration(text, unit, allowZero)
    const next = p.kind === 'ok' ? p.seconds : p.kind === 'empty' ? '' : text
    setEmitted(next)
    onChange(next)
  }
  const choose = (seconds: number) => {
    const { amount, unit } = splitDuration(seconds)
    setTouched(true)
    emit(String(amount), unit)
  }
  const capText = caps.map((c) => `${c.label}: ${formatExactDuration(c.seconds)}`).join(' · ')
  return (
    <Stack gap={4}>
      <Group gap="xs" align="flex-start" wrap="nowrap">
        <TextInput
          style={{ flex: 1 }}
          label={label}
          required={required}
          placeholder={placeholder}
          description={description}
          inputMode="decimal"
          value={state.text}
          onChange={(e) => emit(e.currentTarget.value, state.unit)}
          onBlur={() => {
            setTouched(true)
            onBlur()
          }}
          name={name}
          ref={inputRef}
          error={ownError ?? error ?? (touched ? overCap : undefined)}
          data-testid={testId}
          data-seconds={parsed.kind === 'ok' ? parsed.seconds : undefined}
          data-max={lowestCap}
        />
        <NativeSelect
          label="Unit"
          aria-label={`${label} unit`}
          data={DURATION_UNITS.map((u) => ({ value: u.value, label: u.label }))}
          value={state.unit}
          onChange={(e) => emit(state.text, e.currentTarget.value as DurationUnit)}
          mt={description ? 'calc(var(--mantine-font-size-xs) * 1.2 + 2px)' : undefined}
          w={80}
          data-testid={`${testId}-unit`}
        />
      </Group>
      <Group gap={6}>
        {presets.map((seconds) => (
          <Button
            key={seconds}
            size="compact-xs"
            variant="light"
            disabled={lowestCap !== undefined && seconds > lowestCap}
            onClick={() => choose(seconds)}
            data-testid={`${testId}-preset-${seconds}`}
          >
            {formatExactDuration(seconds)}
          </Button>
        ))}
        {capText && (
          <Text size="xs" c="dimmed" data-testid={`${testId}-caps`}>
            Max {capText}
          </Text>
        )}
      </Group>
    </Stack>
  )
}
