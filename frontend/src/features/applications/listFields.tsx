import type { UseFormReturnType } from '@mantine/form'
import { UrlListInput } from './UrlListInput'
import type { UrlListValues } from './urlLists'


const FIELDS = {
  allowed_origins: {
    label: 'Allowed origins',
    itemLabel: 'Origin',
    placeholder: 'https://app.example.com',
    description: 'Web origins that may call the API from a browser: https://host[:port] (http only for localhost), no paths or wildcards.',
  },
  redirect_uris: {
    label: 'Redirect URIs',
    itemLabel: 'Redirect URI',
    placeholder: 'https://app.example.com/callback',
    description: 'Where users may be sent back after signing in: absolute https URLs (http only for localhost), no fragments.',
  },
} as const

/** One of a front-end app's URL lists, bound to a Mantine form (errors from `field[i]` go beside row i). */
export function UrlListField<T extends UrlListValues>({
  form,
  field,
  disabled,
}: {
  form: UseFormReturnType<T>
  field: keyof typeof FIELDS
  disabled?: boolean
}) {
  const meta = FIELDS[field]
  const values = form.getValues()[field]
  return (
    <UrlListInput
      {...meta}
      values={values}
      disabled={disabled}
      rowError={(i) => form.errors[`${field}.${i}`]}
      listError={form.errors[field]}
      onChange={(i, value) => {
        form.setFieldValue(`${field}.${i}` as never, value as never)
        form.clearFieldError(`${field}.${i}`)
      }}
      onAdd={() => form.insertListItem(field, '' as never)}
      onRemove={(i) => {
        form.removeListItem(field, i)
        form.clearFieldError(field)
      }}
    />
  )
}
