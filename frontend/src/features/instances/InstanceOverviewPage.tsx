import { Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { IconSettings } from '@tabler/icons-react'
import { Link } from 'react-router'
import { formatDateTime } from '../../lib/datetime'
import { usePageTitle } from '../../lib/pageTitle'
import { useCurrentInstance } from './useCurrentInstance'
import { ROLE_COLORS, ROLE_DESCRIPTIONS, ROLE_LABELS } from './roles'
import { timeZoneLabel } from './timeZones'

/** The time now in `timeZone`, as the console shows times. */
function nowIn(timeZone: string): string {
  return formatDateTime(new Date().toISOString(), timeZone)
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Card withBorder radius="md" padding="md">
      <Text size="xs" tt="uppercase" fw={700} c="dimmed">
        {label}
      </Text>
      <Text component="div" mt={6} fw={500}>
        {children}
      </Text>
    </Card>
  )
}

export function InstanceOverviewPage() {
  const instance = useCurrentInstance()
  usePageTitle('Overview', instance.name)
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} fz="h2">
            {instance.name}
          </Title>
          <Text c="dimmed" ff="monospace" size="sm">
            {instance.slug}
          </Text>
        </div>
        <Button component={Link} to="settings" variant="default" leftSection={<IconSettings size={16} aria-hidden />}>
          Settings
        </Button>
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
        <Fact label="Slug">
          <Text ff="monospace">{instance.slug}</Text>
        </Fact>
        <Fact label="Time zone">
          <div>{timeZoneLabel(instance.time_zone)}</div>
          <Text size="xs" c="dimmed">
            Now: {nowIn(instance.time_zone)}
          </Text>
        </Fact>
        <Fact label="Your role">
          <Badge color={ROLE_COLORS[instance.role]} variant="light">
            {ROLE_LABELS[instance.role]}
          </Badge>
          <Text size="xs" c="dimmed" mt={4} fw={400}>
            {ROLE_DESCRIPTIONS[instance.role]}
          </Text>
        </Fact>
        <Fact label="Created">{formatDateTime(instance.created_at, instance.time_zone)}</Fact>
      </SimpleGrid>
    </Stack>
  )
}
