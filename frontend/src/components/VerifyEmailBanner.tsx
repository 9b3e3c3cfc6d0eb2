import { Alert, Button, Group, Stack, Text } from '@mantine/core'
import { useQueryClient } from '@tanstack/react-query'
import { IconMailExclamation } from '@tabler/icons-react'
import { useEffect, useState } from 'react'
import { meQueryKey, useMe, useResendVerification } from '../lib/account'
import { ApiError, errorMessage, formatWait } from '../lib/problem'

/** Seconds left until `until` (epoch ms), ticking once a second while there are some. */
function useCountdown(until: number): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (until <= Date.now()) return
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [until])
  return Math.max(0, Math.ceil((until - now) / 1000))
}

/**
 * Sends the verification link again. Respects the server's limit: after a 429 the button waits
 * as long as Retry-After says (and a few seconds after each success, against double clicks).
 */
export function ResendVerificationButton({ email, label = 'Resend', ...props }: { email: string; label?: string; variant?: string; color?: string; size?: string }) {
  const queryClient = useQueryClient()
  const resend = useResendVerification()
  const [coolUntil, setCoolUntil] = useState(0)
  const wait = useCountdown(coolUntil)
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null)

  const send = () => {
    setNote(null)
    resend.mutate(undefined, {
      onSuccess: () => {
        setNote({ ok: true, text: `Sent. Check the inbox of ${email} (and its spam folder).` })
        setCoolUntil(Date.now() + 30_000)
      },
      onError: (error) => {
        if (error instanceof ApiError && error.code === 'email_already_verified') {
          setNote({ ok: true, text: 'This address is already verified.' })
          void queryClient.invalidateQueries({ queryKey: meQueryKey })
          return
        }
        if (error instanceof ApiError && error.status === 429) {
          const seconds = error.retryAfter ?? 60
          setCoolUntil(Date.now() + seconds * 1000)
          setNote({ ok: false, text: `We sent several links recently. You can ask for another in ${formatWait(seconds)}.` })
          return
        }
        setNote({ ok: false, text: errorMessage(error) })
      },
    })
  }

  return (
    <Stack gap={4} align="flex-start">
      <Button size="xs" variant="default" {...props} onClick={send} loading={resend.isPending} disabled={wait > 0}>
        {wait > 0 ? `${label} (${formatWait(wait)})` : label}
      </Button>
      {note && (
        <Text size="sm" c={note.ok ? 'teal' : 'red'} role={note.ok ? 'status' : 'alert'}>
          {note.text}
        </Text>
      )}
    </Stack>
  )
}

/** The signed-in frame's reminder for an account whose address is not verified yet. */
export function VerifyEmailBanner() {
  const me = useMe()
  if (!me.data || me.data.email_verified) return null
  return (
    <Alert color="yellow" variant="light" mb="lg" icon={<IconMailExclamation size={20} aria-hidden />} title="Verify your email address">
      <Group justify="space-between" align="flex-start" gap="sm">
        <Text size="sm" style={{ flex: '1 1 320px' }}>
          We sent a link to <b>{me.data.email}</b>. Open it to confirm the address; until then you cannot accept
          invitations to instances.
        </Text>
        <ResendVerificationButton email={me.data.email} label="Resend email" />
      </Group>
    </Alert>
  )
}
