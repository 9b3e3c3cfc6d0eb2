import { Alert, Badge, Button, Group, Paper, Progress, Stack, Text, TextInput, ThemeIcon, Timeline, Title } from '@mantine/core'
import { IconCheck, IconMinus, IconSend, IconX } from '@tabler/icons-react'
import { useEffect, useState } from 'react'
import { useMe } from '../../lib/account'
import { ApiError, errorMessage } from '../../lib/problem'
import { validateEmail } from '../../lib/validation'
import { useTestSmtp } from './api'
import { OUTCOME_LABELS, STEP_LABELS, type SmtpTestReport, type SmtpTestStep } from './model'
import { toSmtpInput, type SmtpForm } from './smtpForm'

const OUTCOME_STYLE: Record<SmtpTestStep['outcome'], { color: string; icon: typeof IconCheck }> = {
  ok: { color: 'teal', icon: IconCheck },
  failed: { color: 'red', icon: IconX },
  skipped: { color: 'gray', icon: IconMinus },
}

function Elapsed() {
  const [seconds, setSeconds] = useState(0)
  useEffect(() => {
    const started = Date.now()
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 500)
    return () => clearInterval(timer)
  }, [])
  return <>{seconds} s</>
}

export function TestReport({ report }: { report: SmtpTestReport }) {
  const failed = report.steps.find((s) => s.outcome === 'failed')
  return (
    <Stack gap="md" component="section" aria-label="Test result">
      {report.ok ? (
        <Alert color="teal" variant="light" icon={<IconCheck size={18} aria-hidden />} title="The server accepted the test email">
          Check the inbox of the address you sent it to.
        </Alert>
      ) : (
        <Alert color="red" variant="light" icon={<IconX size={18} aria-hidden />} title="The test failed">
          {failed ? `${STEP_LABELS[failed.step]} failed: see the server's reply below.` : 'The server did not accept the test email.'}
        </Alert>
      )}
      <Timeline bulletSize={26} lineWidth={2} active={-1}>
        {report.steps.map((step) => {
          const { color, icon: Icon } = OUTCOME_STYLE[step.outcome]
          return (
            <Timeline.Item
              key={step.step}
              bullet={
                <ThemeIcon size={26} radius="xl" color={color} variant={step.outcome === 'skipped' ? 'light' : 'filled'}>
                  <Icon size={15} aria-hidden />
                </ThemeIcon>
              }
              title={
                <Group gap="xs" wrap="nowrap">
                  <Text size="sm" fw={600}>
                    {STEP_LABELS[step.step]}
                  </Text>
                  <Badge size="xs" color={color} variant="light">
                    {OUTCOME_LABELS[step.outcome]}
                  </Badge>
                  {step.outcome !== 'skipped' && (
                    <Text size="xs" c="dimmed">
                      {step.duration_ms} ms
                    </Text>
                  )}
                </Group>
              }
              aria-label={`${STEP_LABELS[step.step]}: ${OUTCOME_LABELS[step.outcome]}`}
              data-step={step.step}
              data-outcome={step.outcome}
            >
              <Text
                size="sm"
                c={step.outcome === 'failed' ? 'red.8' : 'dimmed'}
                ff={step.outcome === 'failed' ? 'monospace' : undefined}
                style={{ overflowWrap: 'anywhere' }}
              >
                {step.detail}
              </Text>
            </Timeline.Item>
          )
        })}
      </Timeline>
    </Stack>
  )
}

/** Sends a test email with the form's current values (saved or not). */
export function SmtpTestPanel({ slug, form }: { slug: string; form: SmtpForm }) {
  const me = useMe()
  const test = useTestSmtp(slug)
  const [to, setTo] = useState<string | null>(null)
  const [toError, setToError] = useState<string | null>(null)
  const [otherError, setOtherError] = useState<string | null>(null)
  const address = to ?? me.data?.email ?? ''
  const values = form.getValues()

  const run = () => {
    setOtherError(null)
    const invalid = validateEmail(address)
    setToError(invalid)
    if (invalid) return
    test.mutate(
      { to: address.trim(), settings: toSmtpInput(form.getValues()) },
      {
        onError: (error) => {
          const unplaced: string[] = []
          if (error instanceof ApiError && error.fieldErrors.length > 0) {
            for (const fe of error.fieldErrors) {
              if (fe.field === 'to') setToError(fe.message)
              else if (fe.field.startsWith('settings.') && fe.field.slice(9) in form.getValues()) form.setFieldError(fe.field.slice(9), fe.message)
              else unplaced.push(fe.message)
            }
            if (unplaced.length) setOtherError(unplaced.join(' '))
            else setOtherError('Some settings are invalid: see the fields.')
          } else {
            setOtherError(errorMessage(error))
          }
        },
      },
    )
  }

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="smtp-test-heading">
      <Title order={2} fz="h4" id="smtp-test-heading">
        Send a test email
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        Uses the values in the form, saved or not
        {form.getValues().password ? '' : ' (and the stored password, unless you type a new one)'}. Steward connects,
        secures the connection, signs in and sends, and reports each step.
      </Text>
      <Stack gap="md">
        <TextInput
          label="Send to"
          type="email"
          placeholder="you@example.com"
          value={address}
          onChange={(e) => {
            setTo(e.currentTarget.value)
            setToError(null)
          }}
          error={toError}
        />
        <Group>
          <Button leftSection={<IconSend size={16} aria-hidden />} loading={test.isPending} onClick={run}>
            Send test email
          </Button>
        </Group>
        {test.isPending && (
          <Stack gap={6} role="status" aria-label="Testing the SMTP server">
            <Progress value={100} animated striped size="sm" aria-label="Test in progress" />
            <Text size="xs" c="dimmed">
              Testing {values.host || 'the server'}:{values.port} — <Elapsed />. Each step may take up to 10 s.
            </Text>
          </Stack>
        )}
        {otherError && !test.isPending && (
          <Alert color="red" role="alert" title="Could not run the test">
            {otherError}
          </Alert>
        )}
        {test.data && !test.isPending && <TestReport report={test.data} />}
      </Stack>
    </Paper>
  )
}
