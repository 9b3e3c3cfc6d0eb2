import type { UseFormReturnType } from '@mantine/form'

/** Form values holding a front-end app's URL lists. */
export interface UrlListValues {
  allowed_origins: string[]
  redirect_uris: string[]
  [key: string]: unknown
}

/** Trims the list rows, drops the blank ones and puts the cleaned lists back in the form, so that
 *  the server's `field[i]` errors point at the rows the user sees. */
export function cleanUrlLists<T extends UrlListValues>(form: UseFormReturnType<T>): { allowed_origins: string[]; redirect_uris: string[] } {
  const values = form.getValues()
  const out = { allowed_origins: [] as string[], redirect_uris: [] as string[] }
  for (const field of ['allowed_origins', 'redirect_uris'] as const) {
    const cleaned = values[field].map((v) => v.trim()).filter(Boolean)
    out[field] = cleaned
    form.setFieldValue(field as never, (cleaned.length ? cleaned : ['']) as never)
  }
  return out
}
