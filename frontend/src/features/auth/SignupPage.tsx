import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { AuthCard } from '../../components/AuthCard'
import { PasswordField } from '../../components/PasswordField'
import { applyApiError } from '../../lib/forms'
import { authLink, safeNext } from '../../lib/next'
import { usePageTitle } from '../../lib/pageTitle'
import { PASSWORD_MIN, validateEmail, validatePassword, validateRequired } from '../../lib/validation'
import { useSignup } from './api'

export function SignupPage() {
  const signup = useSignup()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  // From an invitation link: come back to it, with the invited address already filled in.
  const next = safeNext(params.get('next'))
  const [formError, setFormError] = useState<string | null>(null)
  usePageTitle('Sign up')

  const form = useForm({
    initialValues: { name: '', email: params.get('email') ?? '', password: '' },
    validate: { name: validateRequired('Name'), email: validateEmail, password: validatePassword },
  })

  const submit = form.onSubmit((values) => {
    setFormError(null)
    signup.mutate(
      { name: values.name.trim(), email: values.email.trim(), password: values.password },
      {
        // A new account has no instance yet: go straight to creating the first one (unless it
        // came to accept an invitation). The server has sent the verification link.
        onSuccess: () => navigate(next ?? '/instances/new', { replace: true }),
        onError: (error) => setFormError(applyApiError(form, error, { notify: false })),
      },
    )
  })

  return (
    <AuthCard title="Create your account" subtitle="Sign up to manage your Steward instances.">
      <form onSubmit={submit} noValidate>
        <Stack>
          {formError && (
            <Alert color="red" role="alert">
              {formError}
            </Alert>
          )}
          <TextInput label="Name" autoComplete="name" required {...form.getInputProps('name')} />
          <TextInput label="Email" type="email" autoComplete="email" required {...form.getInputProps('email')} />
          <PasswordField
            label="Password"
            description={`At least ${PASSWORD_MIN} characters`}
            autoComplete="new-password"
            required
            {...form.getInputProps('password')}
          />
          <Button type="submit" loading={signup.isPending} fullWidth>
            Sign up
          </Button>
          <Text size="sm" ta="center">
            Already have an account?{' '}
            <Anchor component={Link} to={next ? authLink('/login', next, params.get('email') ?? undefined) : '/login'}>
              Log in
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthCard>
  )
}
