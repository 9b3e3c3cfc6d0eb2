import type { UseFormReturnType } from '@mantine/form'
import { notifications } from '@mantine/notifications'
import { ApiError, errorMessage } from './problem'

/**
 * Shows an API error where the user looks: each `errors[].field` the form knows goes beside that
 * field; anything else (and a problem without field errors) becomes a notification with `detail`.
 * Returns the message shown outside the fields, if any (for forms that prefer an inline Alert).
 */
export function applyApiError<T extends Record<string, unknown>>(
  form: UseFormReturnType<T>,
  error: unknown,
  options: { notify?: boolean; title?: string } = {},
): string | null {
  const { notify = true, title = 'Could not save' } = options
  const values = form.getValues() as Record<string, unknown>
  let placed = 0
  if (error instanceof ApiError) {
    for (const fe of error.fieldErrors) {
      if (fe.field && fe.field in values) {
        form.setFieldError(fe.field, fe.message)
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
