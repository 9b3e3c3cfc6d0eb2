import type { Schemas } from '../../api/client'
import type { Role } from '../../lib/instanceRef'

export type { InstanceRef, Role } from '../../lib/instanceRef'

export type UsageReport = Schemas['UsageReport']
export type BillingOverview = Schemas['BillingOverview']
export type UsageAlert = Schemas['UsageAlert']
export type Bill = Schemas['Bill']
export type InvoiceLine = Schemas['InvoiceLine']
// Read through the documents that carry them, whatever their own schema names are.
export type Plan = Schemas['PlanList']['items'][number]
export type PlanLimit = Plan['limit']
export type Invoice = Schemas['InvoiceList']['items'][number]
export type PlanChange = BillingOverview['plan_changes'][number]

/** Only an owner changes the plan (the server answers others 403). */
export function mayChangePlan(role: Role): boolean {
  return role === 'owner'
}

/**
 * An amount in minor units (cents) as money: 1900 EUR → "€19.00". The currency's own number of
 * decimals (2 for EUR, 0 for JPY) says how many minor units make one.
 */
export function formatMoney(minor: number, currency: string, locale?: string): string {
  let format: Intl.NumberFormat
  try {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency })
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2
  return format.format(minor / 10 ** digits)
}

const count = new Intl.NumberFormat(undefined)

export function formatCount(n: number): string {
  return count.format(n)
}

/** The colour of a quota bar: yellow from 80 %, red from 100 %. */
export function usageColor(percent: number): 'blue' | 'yellow' | 'red' {
  return percent >= 100 ? 'red' : percent >= 80 ? 'yellow' : 'blue'
}

export const LIMIT_LABELS: Record<PlanLimit, string> = { hard: 'Hard limit', soft: 'Soft limit' }

/** What the limit means for the calls over the quota. */
export function limitDescription(plan: Plan): string {
  return plan.limit === 'hard'
    ? 'Calls over the quota are refused (429) until the next period.'
    : `Calls over the quota go on and cost ${formatMoney(plan.overage_per_1000_calls_minor, plan.currency)} per 1,000.`
}

export const METRIC_LABELS: Record<UsageAlert['metric'], string> = { calls: 'API calls', users: 'users' }

/** A calendar day as the console shows it ("1 Dec 2026"), in the instance's time zone. */
export function formatDay(iso: string, timeZone: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  try {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone }).format(d)
  } catch {
    return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(d)
  }
}

/** The last day of a period whose `end` is exclusive (the next period's start). */
export function formatLastDay(end: string, timeZone: string): string {
  const endMs = Date.parse(end)
  return formatDay(Number.isNaN(endMs) ? end : new Date(endMs - 1).toISOString(), timeZone)
}

/** A period by its first and last day: "1 Dec 2026 – 31 Dec 2026". */
export function formatPeriod(start: string, end: string, timeZone: string): string {
  return `${formatDay(start, timeZone)} – ${formatLastDay(end, timeZone)}`
}

/** The chart rows of a usage report: one per point, named by its local label. */
export function usageRows(report: UsageReport) {
  return report.points.map((p) => ({ label: p.label, calls: p.calls, registrations: p.registrations }))
}
