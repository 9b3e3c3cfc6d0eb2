import type { UseFormReturnType } from '@mantine/form'
import { applyApiError } from '../../lib/forms'
import { ApiError } from '../../lib/problem'
import { validateRequired } from '../../lib/validation'
import { expiryDay, validateExpiryDay, type ManagementClient, type ManagementScope } from './model'

/** The fields of the create and edit forms, named as the API names them (so its field errors land beside them). */
export interface ClientValues {
  name: string
  description: string
  scopes: ManagementScope[]
  /** Whether the client has an end of life… */
  expires: boolean
  /** …and on which day (`YYYY-MM-DD`, the instance's time zone). */
  expires_at: string
  [key: string]: unknown
}

export type ClientForm = UseFormReturnType<ClientValues>

export function emptyValues(): ClientValues {
  return { name: '', description: '', scopes: [], expires: false, expires_at: '' }
}

export function valuesOf(client: ManagementClient, timeZone: string): ClientValues {
  const day = expiryDay(client.expires_at, timeZone)
  return { name: client.name, description: client.description, scopes: [...client.scopes], expires: day !== '', expires_at: day }
}

/**
 * The checks both forms make before sending. The expiry day is checked only when `checkExpiry`
 * says so (the edit form leaves an unchanged expiry alone, even one already past).
 */
export function clientValidation(timeZone: string, checkExpiry: (values: ClientValues) => boolean = () => true) {
  return {
    name: validateRequired('Name'),
    scopes: (scopes: ManagementScope[]) => (scopes.length > 0 ? null : 'Choose at least one scope'),
    expires_at: (day: string, values: ClientValues) => (values.expires && checkExpiry(values) ? validateExpiryDay(day, timeZone) : null),
  }
}

/**
 * Puts an API error beside the fields: errors on one scope (`scopes[0]`) go beside the scopes as a
 * whole. Returns what could not be placed (see `applyApiError`).
 */
export function placeClientErrors(form: ClientForm, error: unknown, options: { notify?: boolean; title?: string } = {}): string | null {
  let placed = error
  if (error instanceof ApiError && error.fieldErrors.some((e) => /^scopes\[\d+\]$/.test(e.field))) {
    const errors = error.fieldErrors.map((e) => (/^scopes\[\d+\]$/.test(e.field) ? { ...e, field: 'scopes' } : e))
    placed = new ApiError({ ...error.problem, errors }, error.retryAfter)
  }
  return applyApiError(form, placed, options)
}
