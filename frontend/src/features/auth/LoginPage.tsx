import { Alert, Anchor, Button, Group, Stack, Text, TextInput } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { AuthCard } from '../../components/AuthCard'
import { PasswordField } from '../../components/PasswordField'
import { SecondFactorField } from '../../components/SecondFactorField'
import { applyApiError } from '../../lib/forms'
import { authLink, safeNext } from '../../lib/next'
import { usePageTitle } from '../../lib/pageTitle'
import { secondFactorBody, validateSecondFactor, type SecondFactorMethod } from '../../lib/secondFactor'
import { ApiError, errorMessage } from '../../lib/problem'
import { sessionEndMessage } from '../../lib/sessionEnd'
import { validateEmail, validateRequired } from '../../lib/validation'
import { isChallenge, useLogin, useLoginTwoFactor, type TwoFactorChallenge } from './api'

/** Where to go once signed in: the `?next=` page the sign-in gate came from (this console's only), else home. */
function useDestination(): string {
  const [params] = useSearchParams()
  return safeNext(params.get('next')) ?? '/'
}

/**
 * The second step for an account with two-factor sign-in: a code from the authenticator app (or
 * a recovery code). A wrong code may be retried; a spent or expired challenge starts over.
 */
function TwoFactorStep({ challenge, onStartOver, onSignedIn }: { challenge: TwoFactorChallenge; onStartOver: () => void; onSignedIn: () => void }) {
  const verify = useLoginTwoFactor()
  const allowRecovery = challenge.methods.includes('recovery_code')
  const [method, setMethod] = useState<SecondFactorMethod>(challenge.methods.includes('totp') ? 'totp' : 'recovery_code')
  const [problem, setProblem] = useState<{ message: string; startOver: boolean } | null>(null)
  const form = useForm({
    initialValues: { code: '' },
    validate: { code: (value: string) => validateSecondFactor(method, value) },
  })

  const switchMethod = (next: SecondFactorMethod) => {
    setMethod(next)
    form.setValues({ code: '' })
    form.clearErrors()
  }

  const submit = form.onSubmit((values) => {
    setProblem(null)
    verify.mutate(
      { challenge_token: challenge.challenge_token, ...secondFactorBody(method, values.code) },
      {
        onSuccess: onSignedIn,
        onError: (error) => {
          if (error instanceof ApiError && error.code === 'invalid_two_factor_code') {
            // Cleared for the next try (before the error: a value change clears the field's error).
            form.setValues({ code: '' })
            form.setFieldError('code', error.problem.detail || (method === 'totp' ? 'That code is not right. Try the current one.' : 'That recovery code is not valid.'))
          } else if (error instanceof ApiError && error.code === 'invalid_challenge') {
            setProblem({ message: 'This sign-in expired or was already used. Start over with your email and password.', startOver: true })
          } else {
            // 429 too_many_attempts (with the wait), a network failure...
            setProblem({ message: errorMessage(error), startOver: false })
          }
        },
      },
    )
  })

  return (
    <AuthCard
      title="Two-factor sign-in"
      subtitle={method === 'totp' ? 'Enter the 6-digit code from your authenticator app.' : 'Enter one of your recovery codes. It will stop working once used.'}
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          {problem && (
            <Alert color="red" role="alert">
              {problem.message}
              {problem.startOver && (
                <Button variant="light" color="red" size="xs" mt="sm" display="block" onClick={onStartOver}>
                  Start over
                </Button>
              )}
            </Alert>
          )}
          <SecondFactorField
            method={method}
            onMethodChange={switchMethod}
            allowRecovery={allowRecovery}
            // The page exists for this one field.
            // oxlint-disable-next-line jsx-a11y/no-autofocus
            autoFocus
            {...form.getInputProps('code')}
          />
          <Button type="submit" loading={verify.isPending} disabled={problem?.startOver} fullWidth>
            Verify and log in
          </Button>
          <Group justify="center">
            <Anchor component="button" type="button" size="sm" onClick={onStartOver}>
              Back to email and password
            </Anchor>
          </Group>
        </Stack>
      </form>
    </AuthCard>
  )
}

export function LoginPage() {
  const login = useLogin()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const destination = useDestination()
  const [formError, setFormError] = useState<string | null>(null)
  const [challenge, setChallenge] = useState<TwoFactorChallenge | null>(null)
  usePageTitle(challenge ? 'Two-factor sign-in' : 'Log in')

  const form = useForm({
    initialValues: { email: params.get('email') ?? '', password: '' },
    validate: { email: validateEmail, password: validateRequired('Password') },
  })

  const submit = form.onSubmit((values) => {
    setFormError(null)
    login.mutate(
      { email: values.email.trim(), password: values.password },
      {
        onSuccess: (result) => {
          if (isChallenge(result)) {
            setChallenge(result)
            return
          }
          navigate(destination, { replace: true })
        },
        onError: (error) => setFormError(applyApiError(form, error, { notify: false })),
      },
    )
  })

  if (challenge) {
    return (
      <TwoFactorStep
        challenge={challenge}
        onSignedIn={() => navigate(destination, { replace: true })}
        onStartOver={() => {
          setChallenge(null)
          form.setFieldValue('password', '')
        }}
      />
    )
  }

  const next = safeNext(params.get('next'))
  const ended = sessionEndMessage(params.get('reason'))
  return (
    <AuthCard title="Log in" subtitle="Welcome back to your Steward console.">
      <form onSubmit={submit} noValidate>
        <Stack>
          {ended && !formError && (
            <Alert color="blue" role="status">
              {ended}
            </Alert>
          )}
          {formError && (
            <Alert color="red" role="alert">
              {formError}
            </Alert>
          )}
          <TextInput label="Email" type="email" autoComplete="email" required {...form.getInputProps('email')} />
          <Stack gap={4}>
            <PasswordField label="Password" autoComplete="current-password" required {...form.getInputProps('password')} />
            <Anchor component={Link} to="/forgot-password" size="sm" ta="right">
              Forgot password?
            </Anchor>
          </Stack>
          <Button type="submit" loading={login.isPending} fullWidth>
            Log in
          </Button>
          <Text size="sm" ta="center">
            No account yet?{' '}
            <Anchor component={Link} to={next ? authLink('/signup', next, params.get('email') ?? undefined) : '/signup'}>
              Sign up
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthCard>
  )
}
