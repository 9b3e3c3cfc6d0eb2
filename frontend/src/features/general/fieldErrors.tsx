import type { ReactNode } from 'react'
import type { FieldError } from '../../lib/problem'
import { describeFieldError } from './model'

/** The messages of one field's errors, one per line (shown under that field). */
export function fieldErrorText(errors: FieldError[], field: string): ReactNode {
  const mine = errors.filter((e) => e.field === field)
  if (mine.length === 0) return undefined
  return (
    <>
      {mine.map((e, i) => (
        <span key={`${e.code}-${i}`} style={{ display: 'block' }} data-line={e.line ?? undefined}>
          {describeFieldError(e)}
        </span>
      ))}
    </>
  )
}
