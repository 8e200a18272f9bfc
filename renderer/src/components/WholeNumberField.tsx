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

/** A whole, non-negative number (seconds, ports) bound to a form field: one place for the wiring. */
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
          allowDecimal={false}
          allowNegative={false}
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
