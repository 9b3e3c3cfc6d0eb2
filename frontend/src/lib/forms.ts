import type { UseFormReturnType } from '@mantine/form'
import { notifications } from '@mantine/notifications'
import { ApiError, errorMessage } from './problem'

/**
 * The form path of a server field: `allowed_origins[2]` → `allowed_origins.2` (Mantine's list
 * paths), `a.b[0].c` → `a.b.0.c`.
 */
export function formPath(field: string): string {
  return field.replace(/\[(\d+)\]/g, '.$1')
}

function hasPath(values: Record<string, unknown>, path: string): boolean {
  let current: unknown = values
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null || !(part in current)) return false
    current = (current as Record<string, unknown>)[part]
  }
  return true
}

/**
 * Shows an API error where the user looks: each `errors[].field` the form knows goes beside that
 * field (list entries such as `allowed_origins[2]` beside that entry); anything else (and a
 * problem without field errors) becomes a notification with `detail`.
 * Returns the message shown outside the fields, if any (for forms that prefer an inline Alert).
 */
export function applyApiError<T extends Record<string, unknown>>(
  form: UseFormReturnType<T>,
  error: unknown,
  options: {
    notify?: boolean
    title?: string
    /** Server fields shown beside a differently named input (`guest_lifetime_secs` → `guest_lifetime`). */
    fields?: Record<string, string>
  } = {},
): string | null {
  const { notify = true, title = 'Could not save', fields = {} } = options
  const values = form.getValues() as Record<string, unknown>
  let placed = 0
  if (error instanceof ApiError) {
    for (const fe of error.fieldErrors) {
      const path = fields[fe.field] ?? formPath(fe.field)
      if (fe.field && hasPath(values, path)) {
        form.setFieldError(path, fe.message)
        placed++
      }
    }
    if (placed > 0 && placed === error.fieldErrors.length) return null
  }
  const message = errorMessage(error)
  if (notify) notifications.show({ color: 'red', title, message })
  return message
}

export function notifySuccess(message: string): void {
  notifications.show({ color: 'teal', message })
}

export function notifyError(error: unknown, title = 'Something went wrong'): void {
  notifications.show({ color: 'red', title, message: errorMessage(error) })
}
