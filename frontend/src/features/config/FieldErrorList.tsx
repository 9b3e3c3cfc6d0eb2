import { Code, List } from '@mantine/core'
import type { FieldError } from '../../lib/problem'

/** Field errors listed with their field (an import's `entries.<key>.value/...`). */
export function FieldErrorList({ errors, label }: { errors: FieldError[]; label: string }) {
  return (
    <List size="sm" spacing={4} aria-label={label}>
      {errors.map((e, i) => (
        <List.Item key={`${e.field}-${e.code}-${i}`}>
          {e.field && (
            <>
              <Code fz="xs">{e.field}</Code>{' '}
            </>
          )}
          {e.message}
        </List.Item>
      ))}
    </List>
  )
}
