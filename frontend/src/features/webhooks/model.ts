import type { Schemas } from '../../api/client'
import type { Role } from '../../lib/instanceRef'

export type { InstanceRef, Role } from '../../lib/instanceRef'
export { formatDateTime, formatRelative } from '../../lib/datetime'
export type Webhook = Schemas['WebhookDto']
export type CreatedWebhook = Schemas['CreatedWebhook']
export type EventType = Schemas['EventTypeDto']
export type EventTypeInfo = Schemas['EventTypeInfo']
export type Delivery = Schemas['DeliveryDto']
export type DeliveryStatus = Schemas['DeliveryStatusDto']
export type DeliveryDetail = Schemas['DeliveryDetail']
export type DeliveryPage = Schemas['DeliveryList']
export type Attempt = Schemas['AttemptDto']

/** Every member reads webhooks; admins and owners change them (the server answers 403 to anyone else). */
export const can = {
  manageWebhooks: (role: Role) => role === 'owner' || role === 'admin',
}

/** What the dialog that shows a signing secret once says about keeping it. */
export const SIGNING_SECRET_NOTICE =
  'Store it where your receiver reads its configuration (an environment variable, a secret manager): it proves that each delivery comes from Steward. Lost or leaked? Rotate it on the endpoint’s page.'

/** The one event type sent only on request ("Send test event"): never offered as a subscription. */
export const TEST_EVENT: EventType = 'webhook.test'

/** The types an endpoint may subscribe to, in the catalogue's order. */
export function subscribable(catalogue: EventTypeInfo[]): EventTypeInfo[] {
  return catalogue.filter((t) => t.type !== TEST_EVENT)
}

const GROUP_LABELS: Record<string, string> = { user: 'Users', application: 'Applications' }

export interface EventTypeGroup {
  key: string
  label: string
  types: EventTypeInfo[]
}

/** The types grouped by what they are about (`user.created` → Users), in the catalogue's order. */
export function groupEventTypes(items: EventTypeInfo[]): EventTypeGroup[] {
  const groups: EventTypeGroup[] = []
  for (const item of items) {
    const key = item.type.slice(0, item.type.indexOf('.'))
    let group = groups.find((g) => g.key === key)
    if (!group) {
      group = { key, label: GROUP_LABELS[key] ?? key.charAt(0).toUpperCase() + key.slice(1), types: [] }
      groups.push(group)
    }
    group.types.push(item)
  }
  return groups
}

/** `types` in the catalogue's order, without duplicates (the order boxes were ticked in does not matter). */
export function sortEventTypes(types: EventType[], catalogue: EventTypeInfo[]): EventType[] {
  const order = catalogue.map((t) => t.type)
  return [...new Set(types)].toSorted((a, b) => order.indexOf(a) - order.indexOf(b))
}

export interface EndpointStatus {
  kind: 'enabled' | 'failing' | 'turned_off' | 'off'
  /** The badge: Enabled, Failing, Turned off, Off. */
  label: string
  color: string
  /** The sentence beside it: since when it fails, why Steward turned it off. */
  detail: string | null
}

/**
 * Where an endpoint stands: on; on but failing (since when); turned off by Steward after failing
 * for days (and why); or turned off by a member.
 */
export function endpointStatus(endpoint: Webhook, format: (iso: string) => string): EndpointStatus {
  if (!endpoint.enabled) {
    return endpoint.disabled_reason
      ? { kind: 'turned_off', label: 'Turned off', color: 'red', detail: endpoint.disabled_reason }
      : { kind: 'off', label: 'Off', color: 'gray', detail: null }
  }
  if (endpoint.failing_since) return { kind: 'failing', label: 'Failing', color: 'orange', detail: `since ${format(endpoint.failing_since)}` }
  return { kind: 'enabled', label: 'Enabled', color: 'teal', detail: null }
}

/** The URL without its scheme, for titles ("api.example.com/hooks"). */
export function endpointLabel(url: string): string {
  return url.replace(/^https?:\/\//, '').replace(/\/$/, '')
}

export const DELIVERY_STATUSES: DeliveryStatus[] = ['pending', 'succeeded', 'failed']

export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = {
  pending: 'Pending',
  succeeded: 'Succeeded',
  failed: 'Failed',
}

/** A delivery's badge: a pending one already tried is "Retrying". */
export function deliveryBadge(delivery: Pick<Delivery, 'status' | 'attempts'>): { label: string; color: string } {
  switch (delivery.status) {
    case 'succeeded':
      return { label: 'Succeeded', color: 'teal' }
    case 'failed':
      return { label: 'Failed', color: 'red' }
    default:
      return delivery.attempts > 0 ? { label: 'Retrying', color: 'orange' } : { label: 'Pending', color: 'blue' }
  }
}

/** How often the deliveries log refreshes while a delivery is on its way. */
export const DELIVERY_POLL_MS = 3_000

/** Refresh every few seconds while any loaded delivery is pending; otherwise not at all. */
export function deliveriesPollInterval(pages: DeliveryPage[] | undefined): number | false {
  return pages?.some((p) => p.items.some((d) => d.status === 'pending')) ? DELIVERY_POLL_MS : false
}

/** "35 ms", "1.2 s", or "—". */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  if (ms < 1000) return `${ms} ms`
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`
}

/** An HTTP status's colour: 2xx green, anything else red. */
export function httpStatusColor(status: number): string {
  return status >= 200 && status < 300 ? 'teal' : 'red'
}

/** A payload as people read it: indented JSON. */
export function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value)
  } catch {
    return String(value)
  }
}

/**
 * A receiver that verifies Steward's deliveries with the `standardwebhooks` npm package (Express,
 * the raw body: the signature covers the exact bytes sent).
 */
export function verifySnippet(path = '/steward-events'): string {
  return `// npm install standardwebhooks express
import express from 'express'
import { Webhook } from 'standardwebhooks'

const webhook = new Webhook(process.env.STEWARD_WEBHOOK_SECRET) // whsec_…
const app = express()

// The raw body: the signature covers the exact bytes sent.
app.post('${path}', express.raw({ type: 'application/json' }), (req, res) => {
  let event
  try {
    // Checks webhook-signature against webhook-id, webhook-timestamp and the body,
    // and refuses timestamps more than 5 minutes away.
    event = webhook.verify(req.body.toString('utf8'), req.headers)
  } catch {
    return res.status(400).send('Invalid signature')
  }
  // { type, timestamp, data }. Retries repeat the webhook-id header: drop duplicates.
  console.log(event.type, event.data)
  res.sendStatus(204)
})

app.listen(3000)`
}

/** The path of an endpoint URL, for the snippet ("/steward-events" when it has none). */
export function pathOf(url: string): string {
  try {
    const { pathname } = new URL(url)
    return pathname && pathname !== '/' ? pathname : '/steward-events'
  } catch {
    return '/steward-events'
  }
}
