import type { Schemas } from '../../api/client'

export type { InstanceRef } from '../../lib/instanceRef'

export type AnalyticsSummary = Schemas['AnalyticsSummary']
export type AnalyticsSeries = Schemas['AnalyticsSeries']
export type SeriesPoint = Schemas['SeriesPoint']
export type Breakdown = Schemas['Breakdown']
export type BreakdownItem = Schemas['BreakdownItem']
export type GroupBy = Schemas['GroupBy']

/** How often the dashboard refetches when auto-refresh is on. */
export const AUTO_REFRESH_MS = 30_000

const count = new Intl.NumberFormat(undefined)
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 })

/** 1234 → "1,234" (in the reader's locale). */
export function formatCount(n: number): string {
  return count.format(n)
}

/** 0.0421 → "4.2%". */
export function formatRate(rate: number): string {
  return percent.format(rate)
}

/** A latency in milliseconds: "12 ms", "3.4 ms", or "—" when there was nothing to measure. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: ms < 10 ? 1 : 0 }).format(ms)} ms`
}

/** A response status (`key` "404") that is an error: 4xx or 5xx. */
export function isErrorStatus(item: BreakdownItem): boolean {
  return Number(item.key) >= 400
}

/** A first call of the instance's public API that needs no setup (unauthenticated, metered). */
export function firstCallCurl(publicUrl: string, slug: string): string {
  return `curl ${publicUrl.replace(/\/+$/, '')}/public/v1/${slug}/branding`
}

/** The chart rows of a series: one per point, named by its local label. */
export function chartRows(points: SeriesPoint[]) {
  return points.map((p) => ({
    label: p.label,
    calls: p.calls,
    errors: p.errors,
    p50: p.p50_ms,
    p95: p.p95_ms,
    p99: p.p99_ms,
  }))
}
