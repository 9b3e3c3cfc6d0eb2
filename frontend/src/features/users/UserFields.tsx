import { Radio, SimpleGrid, Stack, Switch, Textarea, TextInput } from '@mantine/core'
import type { UseFormReturnType } from '@mantine/form'
import { PasswordField } from '../../components/PasswordField'
import { PASSWORD_MAX, PASSWORD_MIN } from '../../lib/validation'
import type { UserFormValues } from './model'

/** The inputs shared by "Add user" and the user's page. */
export function UserFields({
  form,
  mode,
  disabled = false,
  hasPassword = false,
  hasEmail = true,
}: {
  form: UseFormReturnType<UserFormValues>
  mode: 'create' | 'edit'
  disabled?: boolean
  hasPassword?: boolean
  /** Edit mode: the user has an address (guests and X accounts may have none, and may stay so). */
  hasEmail?: boolean
}) {
  const values = form.getValues()
  const defaultName = [values.given_name.trim(), values.family_name.trim()].filter(Boolean).join(' ')
  return (
    <>
      <TextInput
        label="Email"
        type="email"
        required={mode === 'create' || hasEmail}
        description={
          mode === 'edit' && !hasEmail
            ? 'This user has no email address (they signed in as a guest or through a provider that gave none). Add one to let them receive emails.'
            : undefined
        }
        autoComplete="off"
        disabled={disabled}
        data-autofocus={mode === 'create' || undefined}
        {...form.getInputProps('email')}
      />
      <SimpleGrid cols={{ base: 1, xs: 2 }}>
        <TextInput label="Given name" autoComplete="off" disabled={disabled} {...form.getInputProps('given_name')} />
        <TextInput label="Family name" autoComplete="off" disabled={disabled} {...form.getInputProps('family_name')} />
      </SimpleGrid>
      <TextInput
        label="Display name"
        description={mode === 'create' ? 'Defaults to the given and family names.' : undefined}
        placeholder={defaultName || undefined}
        autoComplete="off"
        disabled={disabled}
        {...form.getInputProps('name')}
      />
      {mode === 'create' && !disabled && (
        <Radio.Group label="Password" {...form.getInputProps('password_choice')}>
          <Stack gap="sm" mt={8}>
            <Radio value="password" label="Set a password now" description="You choose it and pass it on to the user." />
            <Radio
              value="invitation"
              label="Send an invitation email"
              description={`${values.email.trim() || 'The user'} gets an email with a link to choose their own password. The link is valid for 7 days; a new one can be sent from the user's page.`}
            />
            <Radio
              value="none"
              label="No password for now"
              description="The user cannot sign in with a password until one is set: here, or by them through an invitation or a password reset."
            />
          </Stack>
        </Radio.Group>
      )}
      {!disabled && (mode === 'edit' || values.password_choice === 'password') && (
        <PasswordField
          label={mode === 'create' ? 'Password' : 'New password'}
          required={mode === 'create'}
          description={
            mode === 'create'
              ? `${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`
              : `${hasPassword ? 'Leave empty to keep the current password.' : 'The user has no password yet.'} Setting one ends the user's sessions.`
          }
          autoComplete="new-password"
          {...form.getInputProps('password')}
        />
      )}
      <Switch
        label="Email verified"
        description="Unverified users may be asked to confirm their address before signing in."
        disabled={disabled}
        {...form.getInputProps('email_verified', { type: 'checkbox' })}
      />
      {mode === 'create' && (
        <Switch
          label="Blocked"
          description="A blocked user is refused by the public API."
          disabled={disabled}
          {...form.getInputProps('blocked', { type: 'checkbox' })}
        />
      )}
      <Textarea
        label="Metadata"
        description="A JSON object kept for your application (at most 16 KiB)."
        placeholder={'{\n  "plan": "pro"\n}'}
        autosize
        minRows={3}
        maxRows={14}
        spellCheck={false}
        disabled={disabled}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 'var(--mantine-font-size-sm)' } }}
        {...form.getInputProps('metadata')}
      />
    </>
  )
}
