/**
 * The console pages behind the links of platform emails and the forgotten-password form:
 * verify the account's address, choose a new password. They work signed in and signed out.
 * Each link page first asks what its link is for, says which address it is about, and offers
 * the matching way to a new link when this one expired or was used.
 */
import { Alert, Anchor, Button, Center, Loader, Stack, Text, TextInput } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useQuery } from '@tanstack/react-query'
import { type ReactNode, useState } from 'react'
import { Link, useSearchParams } from 'react-router'
import { publicApi, unwrap, type Schemas } from '../../api/client'
import { AuthCard } from '../../components/AuthCard'
import { PasswordField } from '../../components/PasswordField'
import { formatDateTime } from '../../lib/datetime'
import { applyApiError } from '../../lib/forms'
import { authLink } from '../../lib/next'
import { usePageTitle } from '../../lib/pageTitle'
import { ApiError, errorMessage } from '../../lib/problem'
import { useSession } from '../../lib/useSession'
import { PASSWORD_MIN, validateEmail, validatePassword } from '../../lib/validation'
import { useForgotPassword, useResetPassword, useVerifyEmail } from './api'

function useToken(): string {
  const [params] = useSearchParams()
  return params.get('token') ?? ''
}

/**
 * What a console link is for: the account's address and whether the link still works (the token
 * itself is never shown). 400 `invalid_token` for a link the server does not know. No sign-in needed.
 */
function useAccountLinkInfo(token: string) {
  return useQuery({
    queryKey: ['account-link-info', token],
    queryFn: () => unwrap(publicApi.POST('/api/v1/auth/link-info', { body: { token } })),
    enabled: token !== '',
    retry: false,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  })
}

type AccountLinkInfo = Schemas['AccountLinkInfo']

/** The way back to the console, at the foot of every link page. */
function ToConsole() {
  return (
    <Anchor component={Link} to="/" size="sm" ta="center">
      Go to the console
    </Anchor>
  )
}

function IncompleteLink({ what }: { what: string }) {
  return (
    <Stack>
      <Alert color="red" role="alert">
        This link is incomplete. Open the link from the email again, or ask for a new {what}.
      </Alert>
      <ToConsole />
    </Stack>
  )
}

function isInvalidToken(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'invalid_token'
}

function Waiting() {
  return (
    <Center py="md">
      <Loader size="sm" aria-label="Checking the link" />
    </Center>
  )
}

/** "for ada@example.com", under the page's title. */
function forAddress(info: AccountLinkInfo | undefined): ReactNode {
  return info ? (
    <>
      for <b>{info.email}</b>
    </>
  ) : undefined
}

/** Why a link cannot be used (unknown, expired, used), with what to do about it (`action`). */
function DeadLink({ info, error, children, action }: { info?: AccountLinkInfo; error?: unknown; children?: ReactNode; action: ReactNode }) {
  const title =
    info?.state === 'expired' ? 'This link has expired' : info?.state === 'used' ? 'This link was already used' : 'This link does not work'
  return (
    <Stack>
      {error !== undefined && !isInvalidToken(error) ? (
        <Alert color="red" role="alert">
          {errorMessage(error)}
        </Alert>
      ) : (
        <Alert color={info ? 'yellow' : 'red'} role="alert" title={title}>
          {info?.state === 'expired'
            ? `It stopped working on ${formatDateTime(info.expires_at)}. `
            : info?.state === 'used'
              ? 'Each link works once, and a newer email replaces it. '
              : 'It may be incomplete, or a newer email replaced it. '}
          {children}
        </Alert>
      )}
      {action}
      <ToConsole />
    </Stack>
  )
}

/** `/forgot-password`, with the address filled in when known. */
function forgotPasswordLink(email?: string): string {
  return email ? `/forgot-password?${new URLSearchParams({ email }).toString()}` : '/forgot-password'
}

export function ForgotPasswordPage() {
  usePageTitle('Forgot password')
  const [params] = useSearchParams()
  const forgot = useForgotPassword()
  const [formError, setFormError] = useState<string | null>(null)
  // `?email=` comes from an expired or used reset link: the address it was for.
  const form = useForm({ initialValues: { email: params.get('email') ?? '' }, validate: { email: validateEmail } })
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

function NewResetLink({ email }: { email?: string }) {
  return (
    <Button component={Link} to={forgotPasswordLink(email)} fullWidth>
      Send me a new link
    </Button>
  )
}

function PasswordResetForm({ token, info, onDeadLink }: { token: string; info: AccountLinkInfo; onDeadLink: () => void }) {
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
        onError: (error) => {
          if (isInvalidToken(error)) {
            setFormError({ message: 'This link is invalid, expired or already used. Ask for a new one.', expired: true })
            // It expired (or was used) while the page was open: show what to do about that.
            onDeadLink()
            return
          }
          const message = applyApiError(form, error, { notify: false })
          setFormError(message ? { message, expired: false } : null)
        },
      },
    )
  })

  if (reset.isSuccess) {
    return (
      <Stack>
        <Alert color="teal" role="status">
          Your password is changed, and every session of your account was signed out. Log in with the new password.
        </Alert>
        <Button component={Link} to={`/login?${new URLSearchParams({ email: info.email }).toString()}`} fullWidth>
          Log in
        </Button>
      </Stack>
    )
  }
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {formError && (
          <Alert color="red" role="alert">
            {formError.message}
            {formError.expired && (
              <Anchor component={Link} to={forgotPasswordLink(info.email)} display="block" mt="xs" size="sm">
                Send me a new link
              </Anchor>
            )}
          </Alert>
        )}
        {/* Lets password managers save the new password for the right account. */}
        <input type="email" name="username" autoComplete="username" value={info.email} readOnly hidden />
        <PasswordField
          label="New password"
          description={`At least ${PASSWORD_MIN} characters`}
          autoComplete="new-password"
          required
          toggleLabel="Show password"
          {...form.getInputProps('password')}
        />
        <PasswordField
          label="Confirm new password"
          autoComplete="new-password"
          required
          toggleLabel="Show confirmation"
          {...form.getInputProps('confirm')}
        />
        <Button type="submit" loading={reset.isPending} fullWidth>
          Change my password
        </Button>
        <ToConsole />
      </Stack>
    </form>
  )
}

export function PasswordResetPage() {
  usePageTitle('Choose a new password')
  const token = useToken()
  const info = useAccountLinkInfo(token)

  return (
    <AuthCard title="Choose a new password" subtitle={forAddress(info.data)}>
      {!token ? (
        <IncompleteLink what="reset link" />
      ) : info.isPending ? (
        <Waiting />
      ) : info.isError ? (
        <DeadLink error={info.error} action={<NewResetLink />}>
          Open the link from the most recent email again, or ask for a new one.
        </DeadLink>
      ) : info.data.state !== 'valid' ? (
        <DeadLink info={info.data} action={<NewResetLink email={info.data.email} />}>
          Ask for a new link to choose a new password.
        </DeadLink>
      ) : (
        <PasswordResetForm token={token} info={info.data} onDeadLink={() => void info.refetch()} />
      )}
    </AuthCard>
  )
}

/**
 * Where a new verification link comes from: the console's reminder banner, shown to the signed-in
 * account on every page (the profile shows the address too).
 */
function NewVerificationLink({ email }: { email?: string }) {
  const { status } = useSession()
  return status === 'authenticated' ? (
    <Button component={Link} to="/profile" fullWidth>
      Open the console to send a new link
    </Button>
  ) : (
    <Button component={Link} to={authLink('/login', '/profile', email)} fullWidth>
      Sign in to send a new verification link
    </Button>
  )
}

function EmailVerification({ token, onDeadLink }: { token: string; onDeadLink: () => void }) {
  const verify = useVerifyEmail()
  if (verify.isSuccess) {
    return (
      <Stack>
        <Alert color="teal" role="status">
          Thank you — {verify.data.email} is verified. You can now accept invitations to instances.
        </Alert>
        <Button component={Link} to="/" fullWidth>
          Continue to the console
        </Button>
      </Stack>
    )
  }
  return (
    <Stack>
      {verify.isError && (
        <Alert color="red" role="alert">
          {isInvalidToken(verify.error)
            ? 'This link is invalid, expired or already used. Sign in to the console to send a new one.'
            : errorMessage(verify.error)}
        </Alert>
      )}
      <Button
        onClick={() =>
          verify.mutate(token, {
            // It expired (or was used) while the page was open: show what to do about that.
            onError: (error) => {
              if (isInvalidToken(error)) onDeadLink()
            },
          })
        }
        loading={verify.isPending}
        fullWidth
      >
        Verify my email
      </Button>
      <ToConsole />
    </Stack>
  )
}

/**
 * Verifies on a click, not on load: mail scanners that open links must not use them up (or
 * verify an address its owner never looked at).
 */
export function EmailVerificationPage() {
  usePageTitle('Verify your email')
  const token = useToken()
  const info = useAccountLinkInfo(token)
  const valid = info.data?.state === 'valid'

  return (
    <AuthCard
      title="Verify your email"
      subtitle={
        valid ? (
          <>
            Confirm that <b>{info.data?.email}</b> is yours.
          </>
        ) : (
          forAddress(info.data)
        )
      }
    >
      {!token ? (
        <IncompleteLink what="verification email from the console's banner" />
      ) : info.isPending ? (
        <Waiting />
      ) : info.isError ? (
        <DeadLink error={info.error} action={<NewVerificationLink />}>
          Open the link from the most recent email again, or sign in to the console to send a new one.
        </DeadLink>
      ) : info.data.state === 'used' ? (
        <Stack>
          <Alert color="blue" role="status" title="This link was already used">
            If you opened it before, {info.data.email} is verified and there is nothing more to do. If a newer email
            replaced it, open that one; if the console still asks you to verify the address, send a new link from there.
          </Alert>
          <Button component={Link} to="/" fullWidth>
            Continue to the console
          </Button>
        </Stack>
      ) : info.data.state === 'expired' ? (
        <DeadLink info={info.data} action={<NewVerificationLink email={info.data.email} />}>
          Links work for a limited time; the console sends a new one.
        </DeadLink>
      ) : (
        <EmailVerification token={token} onDeadLink={() => void info.refetch()} />
      )}
    </AuthCard>
  )
}
