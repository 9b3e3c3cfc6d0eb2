import { Code } from '@mantine/core'
import type { ReactNode } from 'react'
import type { FieldError } from '../../lib/problem'
import { errorsUnder } from './model'

/**
 * The server's errors about one input (`value`, `value/min`, `schema/properties`), as the input's
 * error text: one line each, the JSON pointer inside the value first. Undefined when there are none.
 */
export function errorsBeside(errors: FieldError[], prefix: string): ReactNode {
  const mine = errorsUnder(errors, prefix)
  if (mine.length === 0) return undefined
  return (
    <>
      {mine.map((e, i) => (
        <span key={`${e.field}-${e.code}-${i}`} style={{ display: 'block' }} data-code={e.code}>
          {e.pointer && <Code fz="xs">{e.pointer}</Code>}
          {e.pointer ? ' ' : ''}
          {e.message}
        </span>
      ))}
    </>
  )
}
