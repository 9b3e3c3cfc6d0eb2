import { Button, Group, Modal, Stack, Text } from '@mantine/core'
import type { ReactNode } from 'react'

interface ConfirmModalProps {
  opened: boolean
  onClose: () => void
  title: string
  /** What will happen, in a sentence or two. */
  children: ReactNode
  confirmLabel: string
  confirmColor?: string
  onConfirm: () => void
  /** While the action runs: the modal cannot be closed and the button spins. */
  pending: boolean
}

/** Asks before a consequential action (delete, block, remove): Cancel or the action, nothing else. */
export function ConfirmModal({ opened, onClose, title, children, confirmLabel, confirmColor = 'red', onConfirm, pending }: ConfirmModalProps) {
  return (
    <Modal opened={opened} onClose={() => !pending && onClose()} title={title} centered>
      <Stack>
        <Text size="sm">
          {children}
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button color={confirmColor} onClick={onConfirm} loading={pending}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}
