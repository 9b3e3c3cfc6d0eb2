import { Paper, Skeleton, Text } from '@mantine/core'
import { useId, type ReactNode } from 'react'

/** One figure: its name, the value (a skeleton while it loads) and a line of context. A group named by its label. */
export function StatCard({ label, children, hint, pending = false }: { label: string; children: ReactNode; hint?: ReactNode; pending?: boolean }) {
  const id = useId()
  return (
    <Paper withBorder radius="md" p="md" role="group" aria-labelledby={id}>
      <Text id={id} size="xs" tt="uppercase" fw={700} c="dimmed">
        {label}
      </Text>
      {pending ? (
        <Skeleton h={28} mt={6} w="60%" />
      ) : (
        <Text component="div" fz={26} fw={700} mt={4} lh={1.2} data-testid="stat-value">
          {children}
        </Text>
      )}
      {hint && !pending && (
        <Text size="xs" c="dimmed" mt={4}>
          {hint}
        </Text>
      )}
    </Paper>
  )
}
