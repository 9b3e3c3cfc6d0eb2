import { Badge, Button, Code, Group, Input, Modal, Paper, Skeleton, Stack, Text, TextInput, Title, Tooltip } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconDeviceFloppy, IconRestore } from '@tabler/icons-react'
import { lazy, Suspense, useId, useRef, type RefObject } from 'react'
import type { FieldError } from '../../lib/problem'
import { fieldErrorText } from './fieldErrors'
import {
  formatDateTime,
  insertAt,
  METADATA,
  METADATA_EXAMPLE,
  placeholder,
  sampleMetadata,
  type EmailTemplate,
  type TemplateDraft,
  type TemplateVariable,
} from './model'
import type { TemplateCodeEditorHandle } from './TemplateCodeEditor'

// CodeMirror is large: it is fetched when a message is first opened, not with the console.
const TemplateCodeEditor = lazy(() => import('./TemplateCodeEditor'))

/** The body: a code editor with its label, description and errors (with their lines). */
function BodyField({
  value,
  onChange,
  errors,
  editable,
  onFocus,
  editor,
}: {
  value: string
  onChange: (body: string) => void
  errors: FieldError[]
  editable: boolean
  onFocus: () => void
  editor: RefObject<TemplateCodeEditorHandle | null>
}) {
  const id = useId()
  const error = fieldErrorText(errors, 'body')
  const lines = errors.filter((e) => e.field === 'body' && e.line).map((e) => e.line as number)
  const describedBy = [`${id}-description`, error ? `${id}-error` : null].filter(Boolean).join(' ')
  return (
    <Input.Wrapper
      label="Body"
      labelElement="div"
      labelProps={{ id: `${id}-label`, onClick: () => editor.current?.focus() }}
      description="HTML with {{ variables }} and {% if %}…{% endif %}; values are escaped. Tab moves on to the next field."
      descriptionProps={{ id: `${id}-description` }}
      error={error}
      errorProps={{ id: `${id}-error` }}
    >
      <Suspense fallback={<Skeleton h={242} radius="sm" role="status" aria-label="Loading the editor" />}>
        <TemplateCodeEditor
          ref={editor}
          value={value}
          onChange={onChange}
          readOnly={!editable}
          labelledBy={`${id}-label`}
          describedBy={describedBy}
          invalid={Boolean(error)}
          errorLines={lines}
          onFocus={onFocus}
        />
      </Suspense>
    </Input.Wrapper>
  )
}

function Variables({
  variables,
  editable,
  onInsert,
}: {
  variables: TemplateVariable[]
  editable: boolean
  onInsert: (text: string) => void
}) {
  const plain = variables.filter((v) => v.name !== METADATA)
  const metadata = variables.find((v) => v.name === METADATA)
  return (
    <Stack gap={6} component="section" aria-label="Variables">
      <Text size="sm" fw={500}>
        Variables
      </Text>
      <Text size="xs" c="dimmed">
        {editable ? 'Click one to insert it at the cursor. ' : ''}Hover for what it holds and the value used in the preview.
      </Text>
      <Group gap={6}>
        {plain.map((v) => (
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
              onClick={() => editable && onInsert(placeholder(v.name))}
              style={editable ? undefined : { cursor: 'default' }}
            >
              {placeholder(v.name)}
            </Button>
          </Tooltip>
        ))}
      </Group>
      {metadata && <MetadataHelp variable={metadata} editable={editable} onInsert={onInsert} />}
    </Stack>
  )
}

/** How to use the end user's metadata: `{{ metadata.plan }}`, and what a missing field does. */
function MetadataHelp({ variable, editable, onInsert }: { variable: TemplateVariable; editable: boolean; onInsert: (text: string) => void }) {
  const sample = sampleMetadata(variable.sample)?.map(([k, v]) => `${k} “${v}”`)
  const heading = useId()
  return (
    <Stack gap={4} mt={4} component="section" aria-labelledby={heading}>
      <Group gap={6} justify="space-between" wrap="nowrap">
        <Text size="sm" fw={500} id={heading}>
          End user’s metadata
        </Text>
        {editable && (
          <Button
            variant="light"
            color="gray"
            size="compact-xs"
            ff="monospace"
            fw={500}
            aria-label={`Insert ${METADATA_EXAMPLE}`}
            onMouseDown={(e) => e.preventDefault() /* keep the caret where it is */}
            onClick={() => onInsert(METADATA_EXAMPLE)}
          >
            {METADATA_EXAMPLE}
          </Button>
        )}
      </Group>
      <Text size="xs" c="dimmed">
        <Code fz="xs">{'{{ metadata.plan }}'}</Code> prints the field <Code fz="xs">plan</Code> of the user’s metadata (the JSON object
        set on the user through the API or in Users). Names are case-sensitive.
      </Text>
      <Text size="xs" c="dimmed">
        A field the user does not have prints nothing, so one message serves every user; numbers and true/false print as
        written, objects and lists as JSON. Show a sentence only when the field is set with{' '}
        <Code fz="xs">{'{% if metadata.plan %}…{% endif %}'}</Code>; a field name with a dash reads as{' '}
        <Code fz="xs">{'{{ metadata["first-order"] }}'}</Code>.
      </Text>
      <Text size="xs" c="dimmed">
        {sample
          ? `The preview’s sample data has ${sample.length > 1 ? `${sample.slice(0, -1).join(', ')} and ${sample.at(-1)}` : sample[0]}; choose an end user under “Preview as” to use theirs.`
          : 'Choose an end user under “Preview as” to preview with their metadata.'}
      </Text>
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
  const bodyRef = useRef<TemplateCodeEditorHandle>(null)
  const lastField = useRef<'subject' | 'body'>('body')

  const insert = (text: string) => {
    if (template.fragment || lastField.current === 'body') {
      bodyRef.current?.insert(text)
      return
    }
    const element = subjectRef.current
    const value = draft.subject
    const start = element?.selectionStart ?? value.length
    const end = element?.selectionEnd ?? start
    const next = insertAt(value, text, start, end)
    onChange({ ...draft, subject: next.value })
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
        <BodyField
          value={draft.body}
          onChange={(body) => onChange({ ...draft, body })}
          errors={errors}
          editable={editable}
          onFocus={() => (lastField.current = 'body')}
          editor={bodyRef}
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
