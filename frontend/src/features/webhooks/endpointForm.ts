import type { UseFormReturnType } from '@mantine/form'
import { applyApiError } from '../../lib/forms'
import { ApiError } from '../../lib/problem'
import type { EventType, Webhook } from './model'

/** The fields of the create and edit forms, named as the API names them (so its field errors land beside them). */
export interface EndpointValues {
  url: string
  description: string
  /** None: every event type. */
  event_types: EventType[]
  enabled: boolean
  [key: string]: unknown
}

export type EndpointForm = UseFormReturnType<EndpointValues>

export function emptyValues(): EndpointValues {
  return { url: '', description: '', event_types: [], enabled: true }
}

export function valuesOf(endpoint: Webhook): EndpointValues {
  return { url: endpoint.url, description: endpoint.description, event_types: [...endpoint.event_types], enabled: endpoint.enabled }
}

/** The checks made before sending (the server stays the authority on URLs). */
export const endpointValidation = {
  url: (url: string) => (url.trim() ? null : 'URL is required'),
}

/**
 * Puts an API error beside the fields: errors on one event type (`event_types[2]`) go beside the
 * event types as a whole. Returns what could not be placed (see `applyApiError`).
 */
export function placeEndpointErrors(form: EndpointForm, error: unknown, options: { notify?: boolean; title?: string } = {}): string | null {
  let placed = error
  if (error instanceof ApiError && error.fieldErrors.some((e) => /^event_types\[\d+\]$/.test(e.field))) {
    const errors = error.fieldErrors.map((e) => (/^event_types\[\d+\]$/.test(e.field) ? { ...e, field: 'event_types' } : e))
    placed = new ApiError({ ...error.problem, errors }, error.retryAfter)
  }
  return applyApiError(form, placed, options)
}
