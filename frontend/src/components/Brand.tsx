import { Group, Text, ThemeIcon } from '@mantine/core'

export function Brand({ size = 'lg' }: { size?: 'md' | 'lg' }) {
  return (
    <Group gap={8} wrap="nowrap">
      <ThemeIcon size={size === 'lg' ? 34 : 28} radius="md" variant="filled" aria-hidden>
        <Text fw={800} fz={size === 'lg' ? 'lg' : 'md'} c="white">
          S
        </Text>
      </ThemeIcon>
      <Text fw={700} fz={size === 'lg' ? 'xl' : 'lg'}>
        Steward
      </Text>
    </Group>
  )
}
