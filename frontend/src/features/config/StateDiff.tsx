import { Badge, Code, Table, Text, VisuallyHidden } from '@mantine/core'
import { compactJson, prettyJson, stateRows, type ConfigEntryState } from './model'

/** A JSON value: inline when short, a block when it spans lines. */
export function JsonValue({ value, absent = '—' }: { value: unknown; absent?: string }) {
  if (value === undefined) {
    return (
      <Text span size="sm" c="dimmed" fs="italic">
        {absent}
      </Text>
    )
  }
  const short = compactJson(value, 1000)
  if (short.length <= 60) return <Code style={{ wordBreak: 'break-all' }}>{short}</Code>
  return (
    <Code block style={{ maxHeight: 260, overflow: 'auto' }}>
      {prettyJson(value)}
    </Code>
  )
}

/**
 * An entry's state before and after a change, side by side: its value (none set: the default is
 * in force) and, for a custom entry, its definition's parts. What changed is highlighted.
 */
export function StateDiff({ label, before, after }: { label: string; before: ConfigEntryState | null | undefined; after: ConfigEntryState | null | undefined }) {
  const rows = stateRows(before, after)
  return (
    <Table.ScrollContainer minWidth={480} type="native">
      <Table aria-label={label} verticalSpacing={6} fz="sm" layout="fixed" withTableBorder>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={120}>
              <VisuallyHidden>Part</VisuallyHidden>
            </Table.Th>
            <Table.Th>Before</Table.Th>
            <Table.Th>After</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.label} data-changed={row.changed || undefined}>
              <Table.Th scope="row" fw={500} style={{ verticalAlign: 'top' }}>
                {row.label}
                {row.changed && (
                  <Badge size="xs" variant="light" color="yellow" ml={6} display="inline-block">
                    changed
                  </Badge>
                )}
              </Table.Th>
              <Table.Td style={{ verticalAlign: 'top', background: row.changed ? 'var(--mantine-color-red-0)' : undefined }}>
                <JsonValue value={row.before} absent={row.label === 'Value' ? 'not set (default)' : '—'} />
              </Table.Td>
              <Table.Td style={{ verticalAlign: 'top', background: row.changed ? 'var(--mantine-color-green-0)' : undefined }}>
                <JsonValue value={row.after} absent={row.label === 'Value' ? 'not set (default)' : '—'} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}
