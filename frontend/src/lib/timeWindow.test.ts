import { describe, expect, it } from 'vitest'
import { ApiError } from './problem'
import {
  changeWindow,
  DEFAULT_WINDOW,
  defaultGranularity,
  fits,
  pointCount,
  seriesQuery,
  windowBounds,
  windowErrors,
  windowFieldErrors,
  windowQuery,
  type TimeWindow,
} from './timeWindow'

// Wednesday 2 December 2026, 10:00 UTC (12:00 in Athens).
const NOW = Date.parse('2026-12-02T10:00:00Z')
const at = (w: Partial<TimeWindow>): TimeWindow => ({ ...DEFAULT_WINDOW, ...w })

describe('time windows', () => {
  it('spans the whole day, week (from Monday), month or year in the time zone', () => {
    expect(windowBounds(at({ frame: 'today' }), 'Europe/Athens', NOW)).toEqual({
      start: Date.parse('2026-12-01T22:00:00Z'),
      end: Date.parse('2026-12-02T22:00:00Z'),
      firstDay: '2026-12-02',
      lastDay: '2026-12-02',
    })
    expect(windowBounds(at({ frame: 'this_week' }), 'UTC', NOW)).toMatchObject({ firstDay: '2026-11-30', lastDay: '2026-12-06' })
    expect(windowBounds(at({ frame: 'this_month' }), 'UTC', NOW)).toMatchObject({ firstDay: '2026-12-01', lastDay: '2026-12-31' })
    expect(windowBounds(at({ frame: 'this_year' }), 'UTC', NOW)).toMatchObject({ firstDay: '2026-01-01', lastDay: '2026-12-31' })
    expect(windowBounds(at({ frame: 'custom', from: '2026-11-01', to: '2026-11-30' }), 'UTC', NOW)).toMatchObject({ firstDay: '2026-11-01', lastDay: '2026-11-30' })
    expect(windowBounds(at({ frame: 'custom', from: '2026-11-30', to: '2026-11-01' }), 'UTC', NOW)).toBeNull()
  })

  it('counts the points of each granularity and refuses more than 1500', () => {
    const day = windowBounds(at({ frame: 'today' }), 'UTC', NOW)!
    const week = windowBounds(at({ frame: 'this_week' }), 'UTC', NOW)!
    const year = windowBounds(at({ frame: 'this_year' }), 'UTC', NOW)!
    expect(pointCount(day, 'minute')).toBe(1440)
    expect(fits(day, 'minute')).toBe(true)
    expect(pointCount(week, 'minute')).toBe(10_080)
    expect(fits(week, 'minute')).toBe(false)
    expect(fits(week, 'hour')).toBe(true)
    expect(pointCount(year, 'hour')).toBe(8760)
    expect(pointCount(year, 'day')).toBe(365)
    expect(pointCount(year, 'week')).toBe(53)
    expect(pointCount(year, 'month')).toBe(12)
    // A day that loses an hour to summer time has 23 hours.
    const spring = windowBounds(at({ frame: 'custom', from: '2026-03-29', to: '2026-03-29' }), 'Europe/Athens', NOW)!
    expect(pointCount(spring, 'hour')).toBe(23)
  })

  it("defaults to the server's granularity for the frame", () => {
    expect(defaultGranularity(at({ frame: 'today' }), null)).toBe('hour')
    expect(defaultGranularity(at({ frame: 'this_week' }), null)).toBe('day')
    expect(defaultGranularity(at({ frame: 'this_year' }), null)).toBe('month')
    const custom = (from: string, to: string) => {
      const w = at({ frame: 'custom', from, to })
      return defaultGranularity(w, windowBounds(w, 'UTC', NOW))
    }
    expect(custom('2026-11-01', '2026-11-02')).toBe('hour')
    expect(custom('2026-11-01', '2026-11-03')).toBe('day')
    expect(custom('2026-01-01', '2026-04-02')).toBe('day')
    expect(custom('2026-01-01', '2026-04-03')).toBe('month')
  })

  it('resets the granularity with the frame, starts a custom frame as the last 7 days, and drops a granularity that no longer fits', () => {
    const hourly = at({ frame: 'today', granularity: 'minute' })
    expect(changeWindow(hourly, { frame: 'this_week' }, 'UTC', NOW)).toEqual(at({ frame: 'this_week' }))
    const custom = changeWindow(hourly, { frame: 'custom' }, 'UTC', NOW)
    expect(custom).toEqual(at({ frame: 'custom', from: '2026-11-26', to: '2026-12-02' }))
    const minutes = changeWindow(at({ frame: 'custom', from: '2026-12-01', to: '2026-12-01' }), { granularity: 'minute' }, 'UTC', NOW)
    expect(minutes.granularity).toBe('minute')
    expect(changeWindow(minutes, { to: '2026-12-02' }, 'UTC', NOW).granularity).toBeNull()
  })

  it('asks with days only for a custom frame, and says what is wrong with one', () => {
    expect(windowQuery(at({ frame: 'this_month', from: 'x' }))).toEqual({ frame: 'this_month' })
    expect(seriesQuery(at({ frame: 'custom', from: '2026-11-01', to: '2026-11-02', granularity: 'hour' }))).toEqual({
      frame: 'custom',
      from: '2026-11-01',
      to: '2026-11-02',
      granularity: 'hour',
    })
    expect(windowErrors(at({ frame: 'custom' }))).toEqual({ from: 'Choose the first day.', to: 'Choose the last day.' })
    expect(windowErrors(at({ frame: 'custom', from: '2026-11-02', to: '2026-11-01' }))).toEqual({ to: 'The last day is before the first.' })
    const refused = new ApiError({
      type: 'about:blank',
      title: 'Unprocessable',
      status: 422,
      code: 'too_many_points',
      errors: [{ field: 'granularity', code: 'too_many_points', message: 'Too many points.' }],
    })
    expect(windowFieldErrors(null, refused, new Error('x'))).toEqual({ granularity: 'Too many points.' })
  })
})
