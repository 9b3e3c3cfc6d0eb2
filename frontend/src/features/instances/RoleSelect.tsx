import { Select, Stack, Text, type SelectProps } from '@mantine/core'
import { ROLE_DESCRIPTIONS, ROLE_LABELS, type Role } from './roles'

/**
 * A choice of instance role where each option says what the role may do (the descriptions live
 * in lib/roles.ts, beside the labels).
 */
export function RoleSelect({ roles, ...props }: Omit<SelectProps, 'data' | 'renderOption'> & { roles: Role[] }) {
  return (
    <Select
      allowDeselect={false}
      comboboxProps={{ width: 340, position: 'bottom-start', withinPortal: true }}
      {...props}
      data={roles.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
      renderOption={({ option }) => (
        <Stack gap={0}>
          <Text size="sm">{option.label}</Text>
          <Text size="xs" c="dimmed">
            {ROLE_DESCRIPTIONS[option.value as Role]}
          </Text>
        </Stack>
      )}
    />
  )
}
