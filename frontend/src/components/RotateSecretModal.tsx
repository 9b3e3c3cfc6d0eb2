import { Button, Group, Modal, SegmentedControl, Stack, Text } from '@mantine/core'
import { useState, type ReactNode } from 'react'

/** Grace periods offered when rotating a secret (seconds). */
const GRACE_PERIODS = [
  { value: '0', label: 'None', sentence: 'The current secret stops working immediately.' },
  { value: '3600', label: '1 hour', sentence: 'The current secret keeps working for 1 hour.' },
  { value: '86400', label: '24 hours', sentence: 'The current secret keeps working for 24 hours.' },
  { value: '604800', label: '7 days', sentence: 'The current secret keeps working for 7 days.' },
] as const

/**
 * Asks how long the current secret keeps working while a new one is deployed (no grace, an hour,
 * a day, a week), then calls `onConfirm` with the grace period in seconds. `children` say what
 * rotating does; `immediately` is added, in red, when there is no grace period (who breaks).
 */
export function RotateSecretModal({
  opened,
  onClose,
  onConfirm,
  pending,
  title,
  immediately,
  children,
}: {
  opened: boolean
  onClose: () => void
  onConfirm: (gracePeriodSecs: number) => void
  pending: boolean
  title: string
  immediately: string
  children: ReactNode
}) {
  const [grace, setGrace] = useState<string>('0')
  // Each opening starts without a grace period (the choice is kept while a failed rotation is retried).
  const [wasOpened, setWasOpened] = useState(opened)
  if (opened !== wasOpened) {
    setWasOpened(opened)
    if (opened) setGrace('0')
  }
  const gracePeriod = GRACE_PERIODS.find((g) => g.value === grace) ?? GRACE_PERIODS[0]

  const close = () => {
    if (!pending) onClose()
  }

  return (
    <Modal opened={opened} onClose={close} title={title} centered>
      <Stack>
        <Text size="sm">{children}</Text>
        <SegmentedControl
          fullWidth
          aria-label="Grace period"
          value={grace}
          onChange={(v) => setGrace(String(v))}
          data={GRACE_PERIODS.map((g) => ({ value: g.value, label: g.label }))}
        />
        <Text size="sm" c={grace === '0' ? 'red' : 'dimmed'}>
          {gracePeriod.sentence}
          {grace === '0' ? ` ${immediately}` : ''}
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={close} disabled={pending}>
            Cancel
          </Button>
          <Button
            color={grace === '0' ? 'red' : undefined}
            onClick={() => onConfirm(Number(grace))}
            loading={pending}
          >
            Rotate secret
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
