import { ActionIcon, Button, Group, Select } from '@mantine/core'
import { IconPlus } from '@tabler/icons-react'
import { Link, useNavigate } from 'react-router'
import { useInstances } from './api'

/** Header control: jump between the caller's instances, or create one. */
export function InstanceSwitcher({ slug }: { slug: string | null }) {
  const navigate = useNavigate()
  const instances = useInstances()
  const data = (instances.data ?? []).map((i) => ({ value: i.slug, label: i.name }))

  return (
    <Group gap="xs" wrap="nowrap">
      <Select
        aria-label="Current instance"
        placeholder={instances.isPending ? 'Loading…' : 'Choose an instance'}
        data={data}
        value={slug}
        onChange={(value) => value && navigate(`/i/${value}`)}
        searchable={data.length > 8}
        allowDeselect={false}
        nothingFoundMessage="No instance"
        w={{ base: 150, sm: 220 }}
        comboboxProps={{ withinPortal: true }}
      />
      <Button component={Link} to="/instances/new" variant="light" leftSection={<IconPlus size={16} aria-hidden />} visibleFrom="sm">
        New instance
      </Button>
      <ActionIcon component={Link} to="/instances/new" variant="light" size="lg" aria-label="New instance" hiddenFrom="sm">
        <IconPlus size={18} aria-hidden />
      </ActionIcon>
    </Group>
  )
}
