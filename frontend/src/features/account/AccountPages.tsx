/**
 * The pages behind the links in end users' emails: verify an email address, choose a new
 * password, accept an invitation. Public (no console session), branded with the instance's name
 * and logo, and they only call the instance's public API.
 */
import { Alert, Box, Button, Center, Image, Loader, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core'
import { useForm } from '@mantine/form'
import { type ReactNode, useEffect, useRef, useState } from 'react'
import { useSearchParams } from 'react-router'
import { applyApiError } from '../../lib/forms'
import { useBrandedPageTitle } from '../../lib/pageTitle'
import { validatePassword } from '../../lib/validation'
import { useBranding, useSetPassword, useVerifyEmail } from './api'

function useLink() {
  const [params] = useSearchParams()
  return { instance: params.get('instance') ?? '', token: params.get('token') ?? '' }
}

function AccountCard({ instance, title, children }: { instance: string; title: string; children: ReactNode }) {
  const branding = useBranding(instance)
  const name = branding.data?.name ?? ''
  useBrandedPageTitle(name, title)
  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-gray-0)">
      <Box w="100%" maw={440}>
        <Paper withBorder shadow="sm" radius="md" p="xl">
          <Stack gap="lg">
            {branding.data?.logo_url ? (
              <Center>
                <Image src={branding.data.logo_url} alt={name} mah={72} maw={220} fit="contain" />
              </Center>
            ) : (
              name && (
                <Text fw={700} fz="lg" ta="center">
                  {name}
                </Text>
              )
            )}
            <Title order={1} fz="h3" ta="center">
              {title}
            </Title>
            {children}
          </Stack>
        </Paper>
      </Box>
    </Center>
  )
}

function BrokenLink() {
  return (
    <Alert color="red" role="alert">
      This link is incomplete. Open the link from your email again, or ask for a new one.
    </Alert>
  )
}

export function VerifyEmailPage() {
  const { instance, token } = useLink()
  const verify = useVerifyEmail(instance)
  const started = useRef(false)
  useEffect(() => {
    if (started.current || !instance || !token) return
    started.current = true
    verify.mutate(token)
  }, [instance, token, verify])

  return (
    <AccountCard instance={instance} title="Email verification">
      {!instance || !token ? (
        <BrokenLink />
      ) : verify.isSuccess ? (
        <Alert color="green" role="status">
          Thank you — {verify.data.email} is verified. You can close this page and return to the application.
        </Alert>
      ) : verify.isError ? (
        <Alert color="red" role="alert">
          {verify.error.message}
        </Alert>
      ) : (
        <Center>
          <Loader aria-label="Verifying" />
        </Center>
      )}
    </AccountCard>
  )
}

function PasswordPage({ invitation }: { invitation: boolean }) {
  const { instance, token } = useLink()
  const setPassword = useSetPassword(instance)
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm({
    initialValues: { password: '', confirm: '' },
    validate: {
      password: validatePassword,
      confirm: (value, values) => (value === values.password ? null : 'The passwords differ'),
    },
  })
  const submit = form.onSubmit((values) => {
    setFormError(null)
    setPassword.mutate(
      { token, password: values.password },
      { onError: (error) => setFormError(applyApiError(form, error, { notify: false })) },
    )
  })
  const title = invitation ? 'Accept the invitation' : 'Choose a new password'

  return (
    <AccountCard instance={instance} title={title}>
      {!instance || !token ? (
        <BrokenLink />
      ) : setPassword.isSuccess ? (
        <Alert color="green" role="status">
          {invitation
            ? 'Your account is ready. Sign in to the application with your email and this password.'
            : 'Your password is changed, and you were signed out everywhere. Sign in to the application with the new password.'}
        </Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            {formError && (
              <Alert color="red" role="alert">
                {formError}
              </Alert>
            )}
            <PasswordInput label="New password" description="8 to 256 characters" autoComplete="new-password" required {...form.getInputProps('password')} />
            <PasswordInput label="Repeat the password" autoComplete="new-password" required {...form.getInputProps('confirm')} />
            <Button type="submit" loading={setPassword.isPending} fullWidth>
              {invitation ? 'Set my password' : 'Change my password'}
            </Button>
          </Stack>
        </form>
      )}
    </AccountCard>
  )
}

export function ResetPasswordPage() {
  return <PasswordPage invitation={false} />
}

export function AcceptInvitationPage() {
  return <PasswordPage invitation />
}
