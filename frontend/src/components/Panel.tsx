import { Group, Paper, Stack, Text, Title } from '@mantine/core'
import { useId, type ReactNode } from 'react'

/** A titled section of a page: a card with a heading (h2 unless `order` says) that names it. */
export function Panel({
  title,
  order = 2,
  description,
  action,
  children,
}: {
  title: string
  order?: 2 | 3 | 4
  description?: ReactNode
  action?: ReactNode
  children: ReactNode
}) {
  const id = useId()
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby={id}>
      <Group justify="space-between" align="flex-start" gap="sm" wrap="nowrap">
        <div>
          <Title order={order} fz="h5" id={id}>
            {title}
          </Title>
          {description && (
            <Text size="xs" c="dimmed">
              {description}
            </Text>
          )}
        </div>
        {action}
      </Group>
      <Stack mt="sm" gap="sm">
        {children}
      </Stack>
    </Paper>
  )
}
