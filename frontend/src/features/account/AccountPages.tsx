/**
 * The pages behind the links in end users' emails: verify an email address, choose a new
 * password, accept an invitation. Public (no console session), branded with the instance's name
 * and logo, and they only call the instance's public API.
 *
 * Each page first asks what its link is for (the address, whether it still works, the application
 * that sent it), says which address it is about, offers a new link when this one expired or was
 * used, and leads back to the application. The token itself is never shown.
 */
import { Alert, Box, Button, Center, Image, Loader, Paper, Stack, Text, Title } from '@mantine/core'
import { useForm } from '@mantine/form'
import { type ReactNode, useEffect, useRef, useState } from 'react'
import { useSearchParams } from 'react-router'
import { PasswordField } from '../../components/PasswordField'
import { formatDateTime } from '../../lib/datetime'
import { applyApiError } from '../../lib/forms'
import { useBrandedPageTitle } from '../../lib/pageTitle'
import { ApiError, errorMessage } from '../../lib/problem'
import { validatePassword } from '../../lib/validation'
import { type LinkInfo, useBranding, useLinkInfo, useRenewLink, useSetPassword, useVerifyEmail } from './api'

function useLink() {
  const [params] = useSearchParams()
  return { instance: params.get('instance') ?? '', token: params.get('token') ?? '' }
}

/** The application to go back to, when the link names one whose address is a web page. */
function backTarget(info: LinkInfo | undefined): { name: string; url: string } | null {
  const app = info?.application
  if (!app) return null
  try {
    const url = new URL(app.url)
    return url.protocol === 'https:' || url.protocol === 'http:' ? { name: app.name, url: url.href } : null
  } catch {
    return null
  }
}

/** `grace@example.com` → `g…@example.com` (an address the server already shortened stays as it is). */
function shortAddress(email: string): string {
  const at = email.lastIndexOf('@')
  if (at < 1 || /[…*]/.test(email.slice(0, at))) return email
  return `${email[0]}…${email.slice(at)}`
}

function AccountCard({ instance, title, info, children }: { instance: string; title: string; info?: LinkInfo; children: ReactNode }) {
  const branding = useBranding(instance)
  const name = branding.data?.name ?? ''
  const back = backTarget(info)
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
            <Stack gap={4}>
              <Title order={1} fz="h3" ta="center">
                {title}
              </Title>
              {info && (
                <Text ta="center" c="dimmed" size="sm">
                  for <b>{info.email}</b>
                </Text>
              )}
            </Stack>
            {children}
            {back && (
              <Button component="a" href={back.url} variant="default" fullWidth>
                Back to {back.name}
              </Button>
            )}
          </Stack>
        </Paper>
      </Box>
    </Center>
  )
}

function Waiting({ label }: { label: string }) {
  return (
    <Center>
      <Loader aria-label={label} />
    </Center>
  )
}

/** What to do about a link that does not work, per page: "ask … for a new one". */
type Retry = string

function BrokenLink({ retry }: { retry: Retry }) {
  return (
    <Alert color="red" role="alert">
      This link is incomplete. Open the link from your email again, or {retry}.
    </Alert>
  )
}

function UnknownLink({ retry }: { retry: Retry }) {
  return (
    <Alert color="red" role="alert" title="This link does not work">
      It may be incomplete, or a newer email replaced it. Open the link from your most recent email again, or {retry}.
    </Alert>
  )
}

function isInvalidToken(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'invalid_token'
}

/** link-info's refusal of the link itself: an unknown token, or an instance that does not exist. */
function isUnknownLink(error: unknown): boolean {
  return isInvalidToken(error) || (error instanceof ApiError && error.status === 404)
}

/** A finished page: what happened, and the way back when the link names no application. */
function Done({ info, children }: { info?: LinkInfo; children: ReactNode }) {
  return (
    <Alert color="green" role="status">
      {children}
      {!backTarget(info) && ' You can close this page and return to the application.'}
    </Alert>
  )
}

/**
 * "Send me a new link": the same kind of link, to the same address; this one stops working. A
 * change of address is asked again in the application instead (the server renews no such link).
 */
function RenewLink({ instance, token, info, retry }: { instance: string; token: string; info: LinkInfo; retry: Retry }) {
  const renew = useRenewLink(instance)
  if (info.purpose === 'change_email') {
    return <Text size="sm">To get a new link, ask for the change of address again in the application.</Text>
  }
  if (renew.isSuccess) {
    return (
      <Alert color="green" role="status" title="Check your inbox">
        A new link is on its way to {shortAddress(renew.data.email)}. It replaces this one; if nothing arrives in a few
        minutes, look in the spam folder.
      </Alert>
    )
  }
  const refusal = renew.error instanceof ApiError ? renew.error.code : null
  if (refusal === 'already_verified') {
    return <Done info={info}>Good news: {info.email} is already verified. There is nothing more to do.</Done>
  }
  if (refusal === 'user_has_password') {
    return (
      <Done info={info}>
        The account for {info.email} is ready: sign in to the application with your email and password, or use its
        “Forgot password?” if you do not remember it.
      </Done>
    )
  }
  return (
    <Stack>
      {renew.isError &&
        (isInvalidToken(renew.error) ? (
          <UnknownLink retry={retry} />
        ) : (
          <Alert color="red" role="alert">
            {errorMessage(renew.error)}
          </Alert>
        ))}
      <Button onClick={() => renew.mutate(token)} loading={renew.isPending} fullWidth>
        Send me a new link
      </Button>
    </Stack>
  )
}

function Expired({ instance, token, info, retry }: { instance: string; token: string; info: LinkInfo; retry: Retry }) {
  return (
    <Stack>
      <Alert color="yellow" role="alert" title="This link has expired">
        It stopped working on {formatDateTime(info.expires_at)}. Links in our emails work for a limited time: ask for a
        new one.
      </Alert>
      <RenewLink instance={instance} token={token} info={info} retry={retry} />
    </Stack>
  )
}

/**
 * Checks the link before the page offers anything: an incomplete, unknown or expired link says
 * what to do instead, a used one shows `used`, a valid one `children`.
 */
function LinkCheck({
  link,
  info,
  retry,
  used,
  children,
}: {
  link: { instance: string; token: string }
  info: ReturnType<typeof useLinkInfo>
  retry: Retry
  used: ReactNode
  children: (info: LinkInfo) => ReactNode
}) {
  if (!link.instance || !link.token) return <BrokenLink retry={retry} />
  if (info.isPending) return <Waiting label="Checking the link" />
  if (info.isError) {
    return isUnknownLink(info.error) ? (
      <UnknownLink retry={retry} />
    ) : (
      <Alert color="red" role="alert">
        {errorMessage(info.error)}
      </Alert>
    )
  }
  if (info.data.state === 'expired') return <Expired instance={link.instance} token={link.token} info={info.data} retry={retry} />
  if (info.data.state === 'used') return used
  return children(info.data)
}

const VERIFY_RETRY = 'sign in to the application and ask it to send the verification email again'

export function VerifyEmailPage() {
  const link = useLink()
  const info = useLinkInfo(link.instance, link.token)
  const verify = useVerifyEmail(link.instance)
  const valid = info.data?.state === 'valid'
  const { refetch } = info
  const started = useRef(false)
  // Verifies on opening, but only a link the server says still works: an expired or used one
  // gets its own explanation (and the offer of a new link) instead of an error.
  useEffect(() => {
    if (started.current || !valid) return
    started.current = true
    verify.mutate(link.token, {
      // It expired in between: show what to do about that.
      onError: (error) => {
        if (isInvalidToken(error)) void refetch()
      },
    })
  }, [valid, link.token, verify, refetch])

  return (
    <AccountCard instance={link.instance} title="Email verification" info={info.data}>
      <LinkCheck
        link={link}
        info={info}
        retry={VERIFY_RETRY}
        used={
          info.data && (
            <Stack>
              <Alert color="blue" role="status" title="This link was already used">
                If you opened it before, {info.data.email} is already verified and there is nothing more to do. If a newer
                email replaced it, open that one, or ask for a new link.
              </Alert>
              <RenewLink instance={link.instance} token={link.token} info={info.data} retry={VERIFY_RETRY} />
            </Stack>
          )
        }
      >
        {(data) =>
          verify.isSuccess ? (
            <Done info={data}>Thank you — {verify.data.email} is verified.</Done>
          ) : verify.isError ? (
            isInvalidToken(verify.error) ? (
              <UnknownLink retry={VERIFY_RETRY} />
            ) : (
              <Alert color="red" role="alert">
                {errorMessage(verify.error)}
              </Alert>
            )
          ) : (
            <Waiting label="Verifying" />
          )
        }
      </LinkCheck>
    </AccountCard>
  )
}

function PasswordForm({ instance, token, info, invitation, onDeadLink }: { instance: string; token: string; info: LinkInfo; invitation: boolean; onDeadLink: () => void }) {
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
      {
        onError: (error) => {
          setFormError(applyApiError(form, error, { notify: false }))
          // It expired (or was used) while the page was open: show what to do about that.
          if (isInvalidToken(error)) onDeadLink()
        },
      },
    )
  })

  if (setPassword.isSuccess) {
    return (
      <Done info={info}>
        {invitation
          ? 'Your account is ready. Sign in to the application with your email and this password.'
          : 'Your password is changed, and you were signed out everywhere. Sign in to the application with the new password.'}
      </Done>
    )
  }
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {formError && (
          <Alert color="red" role="alert">
            {formError}
          </Alert>
        )}
        {/* Lets password managers save the new password for the right account. */}
        <input type="email" name="username" autoComplete="username" value={info.email} readOnly hidden />
        <PasswordField
          label="New password"
          description="8 to 256 characters"
          autoComplete="new-password"
          required
          toggleLabel="Show password"
          {...form.getInputProps('password')}
        />
        <PasswordField
          label="Repeat the password"
          autoComplete="new-password"
          required
          toggleLabel="Show repeated password"
          {...form.getInputProps('confirm')}
        />
        <Button type="submit" loading={setPassword.isPending} fullWidth>
          {invitation ? 'Set my password' : 'Change my password'}
        </Button>
      </Stack>
    </form>
  )
}

const RESET_RETRY = 'ask for a new one with “Forgot password?” in the application'
const INVITATION_RETRY = 'ask whoever invited you to send a new invitation'

function PasswordPage({ invitation }: { invitation: boolean }) {
  const link = useLink()
  const info = useLinkInfo(link.instance, link.token)
  const title = invitation ? 'Accept the invitation' : 'Choose a new password'
  const retry = invitation ? INVITATION_RETRY : RESET_RETRY

  return (
    <AccountCard instance={link.instance} title={title} info={info.data}>
      <LinkCheck
        link={link}
        info={info}
        retry={retry}
        used={
          info.data &&
          (invitation ? (
            <Stack>
              <Alert color="blue" role="status" title="This invitation link was already used">
                If you chose your password with it, the account is ready: sign in to the application with your email and
                password. If a newer email replaced it, open that one, or ask for a new link.
              </Alert>
              <RenewLink instance={link.instance} token={link.token} info={info.data} retry={retry} />
            </Stack>
          ) : (
            <Stack>
              <Alert color="yellow" role="alert" title="This link was already used">
                Each link works once, and a newer email replaces it. To choose a new password, ask for a new link.
              </Alert>
              <RenewLink instance={link.instance} token={link.token} info={info.data} retry={retry} />
            </Stack>
          ))
        }
      >
        {(data) => (
          <PasswordForm
            instance={link.instance}
            token={link.token}
            info={data}
            invitation={invitation}
            onDeadLink={() => void info.refetch()}
          />
        )}
      </LinkCheck>
    </AccountCard>
  )
}

export function ResetPasswordPage() {
  return <PasswordPage invitation={false} />
}

export function AcceptInvitationPage() {
  return <PasswordPage invitation />
}
