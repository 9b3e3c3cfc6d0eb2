import { Badge, Button, Code, Group, Text, Title } from '@mantine/core'
import { IconSettings } from '@tabler/icons-react'
import type { ReactNode } from 'react'
import { Link } from 'react-router'
import { formatDateTime } from '../../lib/datetime'
import { ROLE_COLORS, ROLE_LABELS, type Instance } from './roles'
import { timeZoneLabel } from './timeZones'

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap={6} wrap="nowrap" align="center">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      {children}
    </Group>
  )
}

/** The head of the instance's home page: its name and, in one line, slug, time zone, the caller's role and creation. */
export function InstanceSummary({ instance }: { instance: Instance }) {
  return (
    <Group justify="space-between" align="flex-start" wrap="wrap">
      <div>
        <Title order={1} fz="h2">
          {instance.name}
        </Title>
        <Group gap="lg" mt={6} wrap="wrap">
          <Fact label="Slug">
            <Code>{instance.slug}</Code>
          </Fact>
          <Fact label="Time zone">
            <Text size="sm" fw={500}>
              {timeZoneLabel(instance.time_zone)}
            </Text>
          </Fact>
          <Fact label="Your role">
            <Badge color={ROLE_COLORS[instance.role]} variant="light">
              {ROLE_LABELS[instance.role]}
            </Badge>
          </Fact>
          <Fact label="Created">
            <Text size="sm">{formatDateTime(instance.created_at, instance.time_zone)}</Text>
          </Fact>
        </Group>
      </div>
      <Button component={Link} to="settings" variant="default" leftSection={<IconSettings size={16} aria-hidden />}>
        Settings
      </Button>
    </Group>
  )
}
