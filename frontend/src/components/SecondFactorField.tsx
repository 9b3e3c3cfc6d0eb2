import { Anchor, Stack, TextInput, type TextInputProps } from '@mantine/core'
import type { SecondFactorMethod } from '../lib/secondFactor'

interface SecondFactorFieldProps extends Omit<TextInputProps, 'label'> {
  method: SecondFactorMethod
  onMethodChange: (method: SecondFactorMethod) => void
  /** Offer the switch to a recovery code (default: yes). */
  allowRecovery?: boolean
}

/**
 * The second-factor input of sign-in and of the account's two-factor settings: the authenticator
 * app's six-digit code, or (toggled) one of the recovery codes.
 */
export function SecondFactorField({ method, onMethodChange, allowRecovery = true, ...input }: SecondFactorFieldProps) {
  const totp = method === 'totp'
  return (
    <Stack gap={6}>
      <TextInput
        key={method}
        label={totp ? 'Authentication code' : 'Recovery code'}
        description={totp ? 'The 6-digit code your authenticator app shows now' : 'One of the codes you saved when you set up two-factor sign-in. Each works once.'}
        placeholder={totp ? '123456' : 'xxxxx-xxxxx'}
        inputMode={totp ? 'numeric' : 'text'}
        autoComplete="one-time-code"
        autoCapitalize="off"
        spellCheck={false}
        maxLength={totp ? 7 : 64}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        required
        {...input}
      />
      {allowRecovery && (
        <Anchor component="button" type="button" size="sm" ta="left" onClick={() => onMethodChange(totp ? 'recovery_code' : 'totp')}>
          {totp ? 'Use a recovery code instead' : 'Use the authenticator app instead'}
        </Anchor>
      )}
    </Stack>
  )
}
