import { Badge, Button, Group, Modal, Paper, Stack, Text, Textarea, TextInput, Title, Tooltip } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconDeviceFloppy, IconRestore } from '@tabler/icons-react'
import { useRef } from 'react'
import type { FieldError } from '../../lib/problem'
import { fieldErrorText } from './fieldErrors'
import {
  formatDateTime,
  insertAt,
  placeholder,
  type EmailTemplate,
  type TemplateDraft,
  type TemplateVariable,
} from './model'

function Variables({
  variables,
  editable,
  onInsert,
}: {
  variables: TemplateVariable[]
  editable: boolean
  onInsert: (name: string) => void
}) {
  return (
    <Stack gap={6} component="section" aria-label="Variables">
      <Text size="sm" fw={500}>
        Variables
      </Text>
      <Text size="xs" c="dimmed">
        {editable ? 'Click one to insert it at the cursor. ' : ''}Hover for what it holds and the value used in the preview.
      </Text>
      <Group gap={6}>
        {variables.map((v) => (
          <Tooltip
            key={v.name}
            multiline
            maw={320}
            withinPortal
            label={
              <>
                {v.description}
                {v.sample ? <> — e.g. “{v.sample}”</> : null}
              </>
            }
          >
            <Button
              variant="light"
              color="gray"
              size="compact-xs"
              ff="monospace"
              fw={500}
              aria-label={editable ? `Insert ${placeholder(v.name)}` : placeholder(v.name)}
              onMouseDown={(e) => e.preventDefault() /* keep the caret where it is */}
              onClick={() => editable && onInsert(v.name)}
              style={editable ? undefined : { cursor: 'default' }}
            >
              {placeholder(v.name)}
            </Button>
          </Tooltip>
        ))}
      </Group>
    </Stack>
  )
}

function ResetTemplate({ title, onReset, pending }: { title: string; onReset: (done: () => void) => void; pending: boolean }) {
  const [opened, { open, close }] = useDisclosure(false)
  return (
    <>
      <Button variant="subtle" color="red" leftSection={<IconRestore size={16} aria-hidden />} onClick={open}>
        Reset to default
      </Button>
      <Modal opened={opened} onClose={() => !pending && close()} title="Reset to default" centered>
        <Stack>
          <Text size="sm">
            Replace your “{title}” with the built-in text? Your customized version is deleted. Emails already queued keep
            the text they were written with.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={pending}>
              Cancel
            </Button>
            <Button color="red" loading={pending} onClick={() => onReset(close)}>
              Reset to default
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  )
}

export function TemplateEditor({
  template,
  draft,
  onChange,
  errors,
  editable,
  dirty,
  timeZone,
  saving,
  resetting,
  onSave,
  onDiscard,
  onReset,
}: {
  template: EmailTemplate
  draft: TemplateDraft
  onChange: (draft: TemplateDraft) => void
  /** The field errors of the last check of this draft (save or preview). */
  errors: FieldError[]
  editable: boolean
  dirty: boolean
  timeZone: string
  saving: boolean
  resetting: boolean
  onSave: () => void
  onDiscard: () => void
  onReset: (done: () => void) => void
}) {
  const subjectRef = useRef<HTMLInputElement>(null)
  const bodyRef = useRef<HTMLTextAreaElement>(null)
  const lastField = useRef<'subject' | 'body'>('body')

  const insert = (name: string) => {
    const field = template.fragment ? 'body' : lastField.current
    const element = field === 'subject' ? subjectRef.current : bodyRef.current
    const value = draft[field]
    const start = element?.selectionStart ?? value.length
    const end = element?.selectionEnd ?? start
    const next = insertAt(value, placeholder(name), start, end)
    onChange({ ...draft, [field]: next.value })
    requestAnimationFrame(() => {
      element?.focus()
      element?.setSelectionRange(next.caret, next.caret)
    })
  }

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label={`Edit ${template.title}`} h="100%">
      <Stack gap="sm">
        <Group justify="space-between" gap="xs" align="flex-start">
          <div>
            <Title order={2} fz="h5">
              {template.title}
            </Title>
            <Text size="xs" c="dimmed">
              {template.fragment
                ? template.kind === 'greeting'
                  ? 'Opens every email, above its message.'
                  : 'Closes every email, below its message.'
                : template.customized
                  ? `Customized ${formatDateTime(template.updated_at, timeZone)}`
                  : 'The built-in text'}
            </Text>
          </div>
          <Group gap={6}>
            {dirty && (
              <Badge color="orange" variant="light">
                Unsaved
              </Badge>
            )}
            <Badge color={template.customized ? 'blue' : 'gray'} variant={template.customized ? 'filled' : 'light'}>
              {template.customized ? 'Customized' : 'Default'}
            </Badge>
          </Group>
        </Group>

        {!template.fragment && (
          <TextInput
            ref={subjectRef}
            label="Subject"
            value={draft.subject}
            readOnly={!editable}
            spellCheck={false}
            onFocus={() => (lastField.current = 'subject')}
            onChange={(e) => onChange({ ...draft, subject: e.currentTarget.value })}
            error={fieldErrorText(errors, 'subject')}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
          />
        )}
        <Textarea
          ref={bodyRef}
          label="Body"
          description="HTML with {{ variables }}, {% if %} and {% for %}; values are escaped."
          value={draft.body}
          readOnly={!editable}
          spellCheck={false}
          autosize
          minRows={10}
          maxRows={26}
          onFocus={() => (lastField.current = 'body')}
          onChange={(e) => onChange({ ...draft, body: e.currentTarget.value })}
          error={fieldErrorText(errors, 'body')}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13, lineHeight: 1.5 } }}
        />

        <Variables variables={template.variables} editable={editable} onInsert={insert} />

        {editable && (
          <Group justify="space-between" gap="xs" mt="xs">
            <Group gap="xs">
              <Button leftSection={<IconDeviceFloppy size={16} aria-hidden />} onClick={onSave} loading={saving} disabled={!dirty}>
                Save
              </Button>
              {dirty && (
                <Button variant="default" onClick={onDiscard} disabled={saving}>
                  Discard changes
                </Button>
              )}
            </Group>
            {template.customized && <ResetTemplate title={template.title} onReset={onReset} pending={resetting} />}
          </Group>
        )}
      </Stack>
    </Paper>
  )
}
