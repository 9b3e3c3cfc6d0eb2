/**
 * The console pages behind the links of platform emails and the forgotten-password form:
 * verify the account's address, choose a new password. They work signed in and signed out.
 */
import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useState } from 'react'
import { Link, useSearchParams } from 'react-router'
import { AuthCard } from '../../components/AuthCard'
import { applyApiError } from '../../lib/forms'
import { usePageTitle } from '../../lib/pageTitle'
import { ApiError, errorMessage } from '../../lib/problem'
import { PASSWORD_MIN, validateEmail, validatePassword } from '../../lib/validation'
import { useForgotPassword, useResetPassword, useVerifyEmail } from './api'

function useToken(): string {
  const [params] = useSearchParams()
  return params.get('token') ?? ''
}

function IncompleteLink({ what }: { what: string }) {
  return (
    <Alert color="red" role="alert">
      This link is incomplete. Open the link from the email again, or ask for a new {what}.
    </Alert>
  )
}

function isInvalidToken(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'invalid_token'
}

export function ForgotPasswordPage() {
  usePageTitle('Forgot password')
  const forgot = useForgotPassword()
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm({ initialValues: { email: '' }, validate: { email: validateEmail } })
  const submit = form.onSubmit((values) => {
    setFormError(null)
    forgot.mutate({ email: values.email.trim() }, { onError: (error) => setFormError(applyApiError(form, error, { notify: false })) })
  })

  return (
    <AuthCard title="Forgot your password?" subtitle="We will email you a link to choose a new one.">
      {forgot.isSuccess ? (
        <Stack>
          <Alert color="teal" role="status">
            If an account exists for {forgot.variables.email}, we have sent a link to it. The link works for a limited time
            and only once. Nothing arrived? Check the spam folder, or try again in a few minutes.
          </Alert>
          <Button component={Link} to="/login" variant="default" fullWidth>
            Back to log in
          </Button>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            {formError && (
              <Alert color="red" role="alert">
                {formError}
              </Alert>
            )}
            <TextInput label="Email" type="email" autoComplete="email" required {...form.getInputProps('email')} />
            <Button type="submit" loading={forgot.isPending} fullWidth>
              Send me a link
            </Button>
            <Text size="sm" ta="center">
              Remembered it?{' '}
              <Anchor component={Link} to="/login">
                Log in
              </Anchor>
            </Text>
          </Stack>
        </form>
      )}
    </AuthCard>
  )
}

export function PasswordResetPage() {
  usePageTitle('Choose a new password')
  const token = useToken()
  const reset = useResetPassword()
  const [formError, setFormError] = useState<{ message: string; expired: boolean } | null>(null)
  const form = useForm({
    initialValues: { password: '', confirm: '' },
    validate: {
      password: validatePassword,
      confirm: (value: string, values) => (value === values.password ? null : 'The passwords do not match'),
    },
  })
  const submit = form.onSubmit((values) => {
    setFormError(null)
    reset.mutate(
      { token, password: values.password },
      {
        onError: (error) =>
          setFormError(
            isInvalidToken(error)
              ? { message: 'This link is invalid, expired or already used. Ask for a new one.', expired: true }
              : (() => {
                  const message = applyApiError(form, error, { notify: false })
                  return message ? { message, expired: false } : null
                })(),
          ),
      },
    )
  })

  return (
    <AuthCard title="Choose a new password">
      {!token ? (
        <IncompleteLink what="reset link" />
      ) : reset.isSuccess ? (
        <Stack>
          <Alert color="teal" role="status">
            Your password is changed, and every session of your account was signed out. Log in with the new password.
          </Alert>
          <Button component={Link} to="/login" fullWidth>
            Log in
          </Button>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            {formError && (
              <Alert color="red" role="alert">
                {formError.message}
                {formError.expired && (
                  <Anchor component={Link} to="/forgot-password" display="block" mt="xs" size="sm">
                    Send me a new link
                  </Anchor>
                )}
              </Alert>
            )}
            <PasswordInput
              label="New password"
              description={`At least ${PASSWORD_MIN} characters`}
              autoComplete="new-password"
              required
              {...form.getInputProps('password')}
            />
            <PasswordInput label="Confirm new password" autoComplete="new-password" required {...form.getInputProps('confirm')} />
            <Button type="submit" loading={reset.isPending} fullWidth>
              Change my password
            </Button>
          </Stack>
        </form>
      )}
    </AuthCard>
  )
}

/**
 * Verifies on a click, not on load: mail scanners that open links must not use them up (or
 * verify an address its owner never looked at).
 */
export function EmailVerificationPage() {
  usePageTitle('Verify your email')
  const token = useToken()
  const verify = useVerifyEmail()
  return (
    <AuthCard title="Verify your email" subtitle={verify.isSuccess ? undefined : 'Confirm that this address is yours.'}>
      {!token ? (
        <IncompleteLink what="verification email from the console's banner" />
      ) : verify.isSuccess ? (
        <Stack>
          <Alert color="teal" role="status">
            Thank you — {verify.data.email} is verified. You can now accept invitations to instances.
          </Alert>
          <Button component={Link} to="/" fullWidth>
            Continue to the console
          </Button>
        </Stack>
      ) : (
        <Stack>
          {verify.isError && (
            <Alert color="red" role="alert">
              {isInvalidToken(verify.error)
                ? 'This link is invalid, expired or already used. Sign in to the console to send a new one.'
                : errorMessage(verify.error)}
            </Alert>
          )}
          <Button onClick={() => verify.mutate(token)} loading={verify.isPending} fullWidth>
            Verify my email
          </Button>
          <Anchor component={Link} to="/" size="sm" ta="center">
            Go to the console
          </Anchor>
        </Stack>
      )}
    </AuthCard>
  )
}
