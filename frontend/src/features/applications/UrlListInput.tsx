import { ActionIcon, Button, Group, Input, Stack, TextInput, Tooltip } from '@mantine/core'
import { IconPlus, IconTrash } from '@tabler/icons-react'
import type { ReactNode } from 'react'

export interface UrlListInputProps {
  label: string
  description?: ReactNode
  /** Names one entry: "Origin" → rows "Origin 1", "Origin 2"... */
  itemLabel: string
  placeholder?: string
  values: string[]
  /** The error of entry `index` (e.g. from `allowed_origins[1]`). */
  rowError: (index: number) => ReactNode
  /** An error about the whole list (e.g. too many entries). */
  listError?: ReactNode
  max?: number
  disabled?: boolean
  onChange: (index: number, value: string) => void
  onAdd: () => void
  onRemove: (index: number) => void
}

/** "Redirect URI" → "redirect URI" (acronyms keep their case). */
function lowerFirst(label: string): string {
  return label.charAt(0).toLowerCase() + label.slice(1)
}

/** An editable list of URLs: one input a row, with add and remove; each row shows its own error. */
export function UrlListInput(props: UrlListInputProps) {
  const { label, description, itemLabel, placeholder, values, rowError, listError, max = 20, disabled } = props
  return (
    <Input.Wrapper label={label} description={description} error={listError} role="group" aria-label={label}>
      <Stack gap={6} mt={6}>
        {values.map((value, index) => {
          const name = `${itemLabel} ${index + 1}`
          return (
            // Rows have no identity beyond their position; inputs are controlled.
            // oxlint-disable-next-line react/no-array-index-key
            <Group key={index} gap={6} align="flex-start" wrap="nowrap">
              <TextInput
                aria-label={name}
                placeholder={placeholder}
                value={value}
                error={rowError(index)}
                disabled={disabled}
                onChange={(e) => props.onChange(index, e.currentTarget.value)}
                style={{ flex: 1 }}
                spellCheck={false}
                autoComplete="off"
              />
              {!disabled && (
                <Tooltip label={`Remove ${lowerFirst(name)}`}>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    size="lg"
                    aria-label={`Remove ${lowerFirst(name)}`}
                    onClick={() => props.onRemove(index)}
                  >
                    <IconTrash size={16} aria-hidden />
                  </ActionIcon>
                </Tooltip>
              )}
            </Group>
          )
        })}
        {!disabled && values.length < max && (
          <Group>
            <Button variant="subtle" size="compact-sm" leftSection={<IconPlus size={14} aria-hidden />} onClick={props.onAdd}>
              Add {lowerFirst(itemLabel)}
            </Button>
          </Group>
        )}
      </Stack>
    </Input.Wrapper>
  )
}
