import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useState } from 'react'
import { Link, useLocation, useNavigate } from 'react-router'
import { AuthCard } from '../../components/AuthCard'
import { applyApiError } from '../../lib/forms'
import { validateEmail, validateRequired } from '../../lib/validation'
import { useLogin } from './api'

export function LoginPage() {
  const login = useLogin()
  const navigate = useNavigate()
  const location = useLocation()
  const from = (location.state as { from?: string } | null)?.from ?? '/'
  const [formError, setFormError] = useState<string | null>(null)

  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: { email: validateEmail, password: validateRequired('Password') },
  })

  const submit = form.onSubmit((values) => {
    setFormError(null)
    login.mutate(
      { email: values.email.trim(), password: values.password },
      {
        onSuccess: () => navigate(from, { replace: true }),
        onError: (error) => setFormError(applyApiError(form, error, { notify: false })),
      },
    )
  })

  return (
    <AuthCard title="Log in" subtitle="Welcome back to your Steward console.">
      <form onSubmit={submit} noValidate>
        <Stack>
          {formError && (
            <Alert color="red" role="alert">
              {formError}
            </Alert>
          )}
          <TextInput label="Email" type="email" autoComplete="email" required {...form.getInputProps('email')} />
          <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps('password')} />
          <Button type="submit" loading={login.isPending} fullWidth>
            Log in
          </Button>
          <Text size="sm" ta="center">
            No account yet?{' '}
            <Anchor component={Link} to="/signup">
              Sign up
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthCard>
  )
}
