import { Button, Checkbox, Group, Paper, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core'
import { useId } from 'react'
import type { EndpointForm } from './endpointForm'
import { groupEventTypes, subscribable, type EventTypeInfo } from './model'

/** The endpoint's URL and description; `focusFirst` focuses the URL when a modal opens. */
export function UrlAndDescription({ form, disabled = false, focusFirst = false }: { form: EndpointForm; disabled?: boolean; focusFirst?: boolean }) {
  return (
    <>
      <TextInput
        label="Endpoint URL"
        description="Where Steward POSTs the events: an http(s) URL of your server."
        placeholder="https://api.example.com/steward-events"
        required
        disabled={disabled}
        data-autofocus={focusFirst || undefined}
        inputWrapperOrder={['label', 'description', 'input', 'error']}
        {...form.getInputProps('url')}
      />
      <Textarea
        label="Description"
        placeholder="What receives these events"
        autosize
        minRows={2}
        maxRows={5}
        disabled={disabled}
        {...form.getInputProps('description')}
      />
    </>
  )
}

/**
 * The event types to deliver, grouped (users, applications), each with what it means. None chosen:
 * every type, those added later included. The test event is not offered: it is sent on request only.
 */
export function EventTypePicker({ form, catalogue, disabled = false }: { form: EndpointForm; catalogue: EventTypeInfo[]; disabled?: boolean }) {
  const types = subscribable(catalogue)
  const groups = groupEventTypes(types)
  const chosen = form.getValues().event_types
  const base = useId()
  return (
    <Checkbox.Group
      label="Event types"
      description="Choose the events this endpoint receives, or none for all of them."
      {...form.getInputProps('event_types')}
    >
      <Group gap="sm" mt={6} mb={4} wrap="wrap">
        <Text size="sm" fw={500} data-testid="event-type-summary">
          {chosen.length === 0 ? 'All events, including types added later' : `${chosen.length} of ${types.length} event types`}
        </Text>
        {chosen.length > 0 && !disabled && (
          <Button variant="subtle" size="compact-sm" onClick={() => form.setFieldValue('event_types', [])}>
            Deliver all events
          </Button>
        )}
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" mt="xs">
        {groups.map((group) => (
          <Paper key={group.key} withBorder radius="md" p="sm" role="group" aria-labelledby={`${base}-${group.key}`}>
            <Text fw={600} size="sm" mb={6} id={`${base}-${group.key}`}>
              {group.label}
            </Text>
            <Stack gap="xs">
              {group.types.map((t) => (
                <Checkbox
                  key={t.type}
                  value={t.type}
                  disabled={disabled}
                  label={
                    <Text span ff="monospace" size="sm">
                      {t.type}
                    </Text>
                  }
                  description={t.description}
                />
              ))}
            </Stack>
          </Paper>
        ))}
      </SimpleGrid>
    </Checkbox.Group>
  )
}
