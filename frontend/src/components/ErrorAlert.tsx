import { Alert, Button } from '@mantine/core'
import { errorMessage } from '../lib/problem'
import { isTwoFactorRequired } from '../lib/secondFactor'
import { TwoFactorRequired } from './TwoFactorRequired'

export function ErrorAlert({ error, title = 'Something went wrong', onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  // Not an error the user can retry away: say what to set up instead.
  if (isTwoFactorRequired(error)) return <TwoFactorRequired compact />
  return (
    <Alert color="red" title={title} role="alert">
      {errorMessage(error)}
      {onRetry && (
        <Button variant="light" color="red" size="xs" mt="sm" display="block" onClick={onRetry}>
          Try again
        </Button>
      )}
    </Alert>
  )
}
