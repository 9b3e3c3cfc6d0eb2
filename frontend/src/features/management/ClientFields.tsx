import { Checkbox, Paper, SimpleGrid, Stack, Text, TextInput } from '@mantine/core'
import { useId } from 'react'
import { formatDateTime } from '../../lib/datetime'
import type { ClientForm } from './clientForm'
import { expiryInstant, firstExpiryDay, groupScopes, validateExpiryDay, type ScopeInfo } from './model'

/** The scopes to choose from, grouped by area, each with what it allows. */
export function ScopePicker({ form, catalogue, disabled = false }: { form: ClientForm; catalogue: ScopeInfo[]; disabled?: boolean }) {
  const groups = groupScopes(catalogue)
  const base = useId()
  return (
    <Checkbox.Group
      label="Scopes"
      description="What the client may do with this instance. A write scope does not include read: choose both to read and change."
      withAsterisk
      {...form.getInputProps('scopes')}
    >
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" mt="xs">
        {groups.map((group) => (
          <Paper key={group.area} withBorder radius="md" p="sm" role="group" aria-labelledby={`${base}-${group.area}`} data-area={group.area}>
            <Text fw={600} size="sm" mb={6} id={`${base}-${group.area}`}>
              {group.label}
            </Text>
            <Stack gap="xs">
              {group.scopes.map((s) => (
                <Checkbox
                  key={s.scope}
                  value={s.scope}
                  disabled={disabled}
                  label={
                    <Text span ff="monospace" size="sm">
                      {s.scope}
                    </Text>
                  }
                  description={s.description}
                />
              ))}
            </Stack>
          </Paper>
        ))}
      </SimpleGrid>
    </Checkbox.Group>
  )
}

/** "Set an expiry date" and, when set, the day the client stops working (in the instance's time zone). */
export function ExpiryField({ form, timeZone, disabled = false }: { form: ClientForm; timeZone: string; disabled?: boolean }) {
  const { expires, expires_at: day } = form.getValues()
  const valid = expires && validateExpiryDay(day, timeZone) === null
  return (
    <Stack gap="xs">
      <Checkbox
        label="Set an expiry date"
        description="Without one, the client works until it is deleted."
        disabled={disabled}
        {...form.getInputProps('expires', { type: 'checkbox' })}
      />
      {expires && (
        <TextInput
          type="date"
          label="Expires on"
          min={firstExpiryDay(timeZone)}
          disabled={disabled}
          required
          maw={420}
          styles={{ input: { maxWidth: 220 } }}
          inputWrapperOrder={['label', 'input', 'description', 'error']}
          description={
            valid ? `Stops working at ${formatDateTime(expiryInstant(day, timeZone), timeZone)}` : `The client stops working when this day starts (${timeZone}).`
          }
          {...form.getInputProps('expires_at')}
        />
      )}
    </Stack>
  )
}

