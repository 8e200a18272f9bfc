import { NumberInput, type NumberInputProps } from '@mantine/core'
import { Controller, type Control, type FieldValues, type Path } from 'react-hook-form'

type WholeNumberFieldProps<T extends FieldValues, C, O extends FieldValues> = {
  control: Control<T, C, O>
  name: Path<T>
  'data-testid'?: string
  'data-max'?: number
  'data-autofocus'?: boolean
} & Omit<
  NumberInputProps,
  'value' | 'onChange' | 'onBlur' | 'name' | 'allowDecimal' | 'allowNegative'
>

/**
 * A whole number (a timeout, a count) bound to a form field: one place for the wiring. What is
 * typed stays as typed (`-5`, `9.5`), so the form's schema refuses it with a reason; stripping
 * the sign or the point instead would turn `-5` into 5 and `9.5` into 95 without a word.
 * Durations use DurationField.
 */
export function WholeNumberField<T extends FieldValues, C, O extends FieldValues>({
  control,
  name,
  ...props
}: WholeNumberFieldProps<T, C, O>) {
  return (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <NumberInput
          {...props}
          allowDecimal
          allowNegative
          value={field.value}
          onChange={field.onChange}
          onBlur={field.onBlur}
          name={field.name}
          ref={field.ref}
        />
      )}
    />
  )
}
