import { Alert, Badge, Button, Code, Group, Image, Modal, Paper, Stack, Text, TextInput, Title } from '@mantine/core'
import { useForm } from '@mantine/form'
import { IconShieldCheck, IconShieldOff } from '@tabler/icons-react'
import QRCode from 'qrcode'
import { useEffect, useState } from 'react'
import { CopyIconButton } from '../../components/CopyIconButton'
import { ErrorAlert } from '../../components/ErrorAlert'
import { SecondFactorField } from '../../components/SecondFactorField'
import { useMe } from '../../lib/account'
import { formatDateTime } from '../../lib/datetime'
import { PasswordField } from '../../components/PasswordField'
import { applyApiError, notifySuccess } from '../../lib/forms'
import { ApiError, errorMessage } from '../../lib/problem'
import { secondFactorBody, validateSecondFactor, type SecondFactorMethod } from '../../lib/secondFactor'
import { validateRequired } from '../../lib/validation'
import {
  useDisableTwoFactor,
  useEnableTwoFactor,
  useRegenerateRecoveryCodes,
  useTwoFactorSetup,
  useTwoFactorStatus,
  type SecondFactorProof,
} from './api'
import { RecoveryCodesView } from './RecoveryCodes'

/** The otpauth URI as a QR code image (an SVG data: URL, which the CSP's img-src allows). */
function useQrCode(text: string): string | null {
  const [url, setUrl] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
      .then((svg) => live && setUrl(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`))
      .catch(() => live && setUrl(null))
    return () => {
      live = false
    }
  }, [text])
  return url
}

/** "JBSW Y3DP …": the secret in groups of four, easier to type. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ')
}

function ScanStep({ secret, uri, onEnabled }: { secret: string; uri: string; onEnabled: (codes: string[]) => void }) {
  const qr = useQrCode(uri)
  const enable = useEnableTwoFactor()
  const form = useForm({
    initialValues: { code: '' },
    validate: { code: (v: string) => validateSecondFactor('totp', v) },
  })
  const submit = form.onSubmit((values) =>
    enable.mutate(
      { code: values.code.replace(/\s+/g, '') },
      {
        onSuccess: (result) => onEnabled(result.recovery_codes),
        onError: (error) => applyApiError(form, error, { title: 'Could not turn on two-factor sign-in' }),
      },
    ),
  )
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm">
          <b>1.</b> Scan this QR code with your authenticator app (1Password, Google Authenticator, Microsoft
          Authenticator, Aegis…).
        </Text>
        <Group justify="center">
          {qr ? (
            <Image src={qr} alt="QR code to add Steward to your authenticator app" w={200} h={200} fit="contain" />
          ) : (
            <Paper w={200} h={200} withBorder aria-hidden />
          )}
        </Group>
        <Stack gap={4}>
          <Text size="sm">Or type this key into the app:</Text>
          <Group gap="xs" wrap="nowrap">
            <Code block style={{ flex: 1, fontSize: 'var(--mantine-font-size-sm)' }} aria-label="Secret key">
              {grouped(secret)}
            </Code>
            <CopyIconButton value={secret} label="Copy the secret key" />
          </Group>
          <Text size="xs" c="dimmed">
            This key is shown only now. If you close this window before finishing, start again for a new one.
          </Text>
        </Stack>
        <Text size="sm">
          <b>2.</b> Enter the 6-digit code the app shows for Steward.
        </Text>
        <TextInput
          label="Code from the app"
          placeholder="123456"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={7}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          {...form.getInputProps('code')}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={enable.isPending}>
            Turn on
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

type EnrolStep = { step: 'password' } | { step: 'scan'; secret: string; uri: string } | { step: 'codes'; codes: string[] }

/** Password → QR code and secret → a code from the app → the recovery codes. */
function EnrolModal({ opened, onClose, account }: { opened: boolean; onClose: () => void; account: string }) {
  const setup = useTwoFactorSetup()
  const [state, setState] = useState<EnrolStep>({ step: 'password' })
  const form = useForm({
    initialValues: { current_password: '' },
    validate: { current_password: validateRequired('Your password') },
  })
  const close = () => {
    onClose()
    setState({ step: 'password' })
    form.reset()
  }
  const submit = form.onSubmit((values) =>
    setup.mutate(values, {
      onSuccess: (result) => setState({ step: 'scan', secret: result.secret, uri: result.otpauth_uri }),
      onError: (error) => {
        if (error instanceof ApiError && error.code === 'two_factor_enabled') {
          notifySuccess('Two-factor sign-in is already on')
          close()
          return
        }
        applyApiError(form, error, { title: 'Could not start the setup' })
      },
    }),
  )
  const showingCodes = state.step === 'codes'

  return (
    <Modal
      opened={opened}
      onClose={close}
      title={showingCodes ? 'Two-factor sign-in is on' : 'Turn on two-factor sign-in'}
      centered
      size="lg"
      // The recovery codes are shown once: leave only through "Done", after confirming they are saved.
      closeOnClickOutside={!showingCodes}
      closeOnEscape={!showingCodes}
      withCloseButton={!showingCodes}
    >
      {state.step === 'password' && (
        <form onSubmit={submit} noValidate>
          <Stack>
            <Text size="sm">
              After your password, sign-in will ask for a code from an authenticator app on your phone or computer.
              Confirm your password to begin.
            </Text>
            <PasswordField
              label="Current password"
              autoComplete="current-password"
              required
              {...form.getInputProps('current_password')}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={setup.isPending}>
                Continue
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {state.step === 'scan' && <ScanStep secret={state.secret} uri={state.uri} onEnabled={(codes) => setState({ step: 'codes', codes })} />}
      {state.step === 'codes' && (
        <RecoveryCodesView
          codes={state.codes}
          account={account}
          onDone={() => {
            notifySuccess('Two-factor sign-in is on')
            close()
          }}
        />
      )}
    </Modal>
  )
}

type ProofPurpose = 'disable' | 'regenerate'

/** Asks for the second factor (a code, or a recovery code) before turning it off or renewing the codes. */
function ProofModal({ purpose, onClose, account }: { purpose: ProofPurpose | null; onClose: () => void; account: string }) {
  const disable = useDisableTwoFactor()
  const regenerate = useRegenerateRecoveryCodes()
  const [method, setMethod] = useState<SecondFactorMethod>('totp')
  const [codes, setCodes] = useState<string[] | null>(null)
  const [formError, setFormError] = useState<string | null>(null)
  const form = useForm({ initialValues: { code: '' }, validate: { code: (v: string) => validateSecondFactor(method, v) } })
  const pending = disable.isPending || regenerate.isPending
  const close = () => {
    onClose()
    setCodes(null)
    setMethod('totp')
    setFormError(null)
    form.reset()
  }
  const onError = (error: unknown) => {
    // The server names `code` or `recovery_code`: both are this one field.
    const fieldError = error instanceof ApiError ? error.fieldErrors.find((e) => e.field === 'code' || e.field === 'recovery_code') : undefined
    if (fieldError) {
      form.setFieldError('code', fieldError.message)
      return
    }
    setFormError(errorMessage(error))
  }
  const submit = form.onSubmit((values) => {
    setFormError(null)
    const body: SecondFactorProof = secondFactorBody(method, values.code)
    if (purpose === 'disable') {
      disable.mutate(body, {
        onSuccess: () => {
          notifySuccess('Two-factor sign-in is off')
          close()
        },
        onError,
      })
    } else {
      regenerate.mutate(body, { onSuccess: (result) => setCodes(result.recovery_codes), onError })
    }
  })

  return (
    <Modal
      opened={purpose !== null}
      onClose={() => !pending && !codes && close()}
      title={purpose === 'disable' ? 'Turn off two-factor sign-in' : codes ? 'Your new recovery codes' : 'Generate new recovery codes'}
      centered
      size={codes ? 'lg' : 'md'}
      closeOnClickOutside={!codes}
      closeOnEscape={!codes}
      withCloseButton={!codes}
    >
      {codes ? (
        <RecoveryCodesView codes={codes} account={account} onDone={close} />
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <Text size="sm">
              {purpose === 'disable'
                ? 'Sign-in will ask only for your password. Confirm with a code from your authenticator app.'
                : 'Your current recovery codes stop working, and you get ten new ones. Confirm with a code from your authenticator app.'}
            </Text>
            {formError && (
              <Alert color="red" role="alert">
                {formError}
              </Alert>
            )}
            <SecondFactorField
              method={method}
              onMethodChange={(m) => {
                setMethod(m)
                form.setValues({ code: '' })
                form.clearErrors()
              }}
              {...form.getInputProps('code')}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close} disabled={pending}>
                Cancel
              </Button>
              <Button type="submit" color={purpose === 'disable' ? 'red' : undefined} loading={pending}>
                {purpose === 'disable' ? 'Turn off' : 'Generate new codes'}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  )
}

export function TwoFactorCard() {
  const status = useTwoFactorStatus()
  const me = useMe()
  const [enrolling, setEnrolling] = useState(false)
  const [proof, setProof] = useState<ProofPurpose | null>(null)
  const account = me.data?.email ?? ''

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="two-factor-heading">
      <Group gap="sm" mb={4}>
        <Title order={2} fz="h4" id="two-factor-heading">
          Two-factor sign-in
        </Title>
        {status.data &&
          (status.data.enabled ? (
            <Badge color="teal" variant="light" leftSection={<IconShieldCheck size={12} aria-hidden />}>
              On
            </Badge>
          ) : (
            <Badge color="gray" variant="light" leftSection={<IconShieldOff size={12} aria-hidden />}>
              Off
            </Badge>
          ))}
      </Group>
      {status.isError ? (
        <ErrorAlert error={status.error} title="Could not load the two-factor status" onRetry={() => status.refetch()} />
      ) : status.isPending ? (
        <Text c="dimmed" size="sm">
          Loading…
        </Text>
      ) : status.data.enabled ? (
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            Signing in asks for a code from your authenticator app
            {status.data.enabled_at ? ` (on since ${formatDateTime(status.data.enabled_at)})` : ''}.
          </Text>
          <Text size="sm" c={status.data.recovery_codes_left <= 3 ? 'orange.8' : undefined}>
            {status.data.recovery_codes_left === 1 ? '1 recovery code left' : `${status.data.recovery_codes_left} recovery codes left`}
            {status.data.recovery_codes_left <= 3 ? ': generate new ones soon.' : '.'}
          </Text>
          <Group>
            <Button variant="default" onClick={() => setProof('regenerate')}>
              Generate new recovery codes
            </Button>
            <Button variant="subtle" color="red" onClick={() => setProof('disable')}>
              Turn off
            </Button>
          </Group>
        </Stack>
      ) : (
        <Stack gap="sm" align="flex-start">
          <Text size="sm" c="dimmed">
            Protect your account with a code from an authenticator app in addition to your password. Some instances
            require it of their members.
          </Text>
          <Button leftSection={<IconShieldCheck size={16} aria-hidden />} onClick={() => setEnrolling(true)}>
            Set up two-factor sign-in
          </Button>
        </Stack>
      )}
      <EnrolModal opened={enrolling} onClose={() => setEnrolling(false)} account={account} />
      <ProofModal purpose={proof} onClose={() => setProof(null)} account={account} />
    </Paper>
  )
}
