import { Alert, Box, Grid, Group, ScrollArea, SegmentedControl, Skeleton, Stack, Text } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { IconLock } from '@tabler/icons-react'
import { useMemo, useState } from 'react'
import { useSearchParams } from 'react-router'
import { ErrorAlert } from '../../components/ErrorAlert'
import { notifyError, notifySuccess } from '../../lib/forms'
import { ApiError, type FieldError } from '../../lib/problem'
import { useEmailTemplates, useResetTemplate, useSaveEmailStyle, useSaveTemplate, useTemplatePreview } from './api'
import { EmailPreview } from './EmailPreview'
import { FontPanel } from './FontPanel'
import { PreviewAs, type PreviewUser } from './PreviewAs'
import {
  can,
  draftOf,
  sameDraft,
  type EmailStyle,
  type EmailTemplate,
  type InstanceRef,
  type Preview,
  type PreviewInput,
  type TemplateDraft,
  type TemplateKind,
  type TemplateList,
} from './model'
import { TemplateEditor } from './TemplateEditor'
import { useUnsavedChangesGuard } from '../../lib/useUnsavedChangesGuard'

/** How long the draft must stay unchanged before the preview is rendered again. */
export const PREVIEW_DEBOUNCE_MS = 400

function fieldErrorsOf(error: unknown): FieldError[] {
  return error instanceof ApiError ? error.fieldErrors : []
}

/** The last preview request that finished: its rendering (kept across failures) and its error. */
interface Settled {
  preview: Preview | null
  error: unknown
}

/** One message: its editor, its live preview and the font panel. Remounted for each message. */
function MessageWorkspace({
  instance,
  list,
  template,
  draft,
  dirty,
  onDraftChange,
  onDraftDropped,
  style,
  onStyleChange,
  onStyleSaved,
  previewUser,
  onPreviewUserChange,
}: {
  instance: InstanceRef
  list: TemplateList
  template: EmailTemplate
  draft: TemplateDraft
  dirty: boolean
  onDraftChange: (draft: TemplateDraft) => void
  onDraftDropped: () => void
  style: EmailStyle
  onStyleChange: (style: EmailStyle) => void
  onStyleSaved: () => void
  previewUser: PreviewUser | null
  onPreviewUserChange: (user: PreviewUser | null) => void
}) {
  const editable = can.editTemplates(instance.role)
  const save = useSaveTemplate(instance.slug)
  const reset = useResetTemplate(instance.slug)
  const saveStyle = useSaveEmailStyle(instance.slug)
  const [saveError, setSaveError] = useState<{ draft: TemplateDraft; error: ApiError } | null>(null)
  const [styleError, setStyleError] = useState<{ style: EmailStyle; error: ApiError } | null>(null)

  // The live preview follows the draft and the chosen font, once they settle.
  const input: PreviewInput = {
    ...(template.fragment ? {} : { subject: draft.subject }),
    body: draft.body,
    font_family: style.font_family,
    font_size: style.font_size,
    ...(previewUser ? { end_user_id: previewUser.id } : {}),
  }
  const [settledKey] = useDebouncedValue(JSON.stringify(input), PREVIEW_DEBOUNCE_MS)
  const previewInput = useMemo(() => JSON.parse(settledKey) as PreviewInput, [settledKey])
  const preview = useTemplatePreview(instance.slug, template.kind, previewInput)

  const [settled, setSettled] = useState<Settled>({ preview: null, error: null })
  if (!preview.isFetching) {
    const next: Settled = preview.isError
      ? { preview: settled.preview, error: preview.error }
      : preview.data
        ? { preview: preview.data, error: null }
        : settled
    if (next.preview !== settled.preview || next.error !== settled.error) setSettled(next)
  }

  // An error on the chosen end user (deleted meanwhile) belongs to "Preview as", not to the draft.
  const previewFieldErrors = fieldErrorsOf(settled.error).filter((e) => e.field !== 'end_user_id')
  const previewUserError = fieldErrorsOf(settled.error).find((e) => e.field === 'end_user_id')?.message
  const templateErrors = saveError && sameDraft(saveError.draft, draft) ? saveError.error.fieldErrors : previewFieldErrors
  const fontErrors =
    styleError && styleError.style.font_family === style.font_family && styleError.style.font_size === style.font_size
      ? styleError.error.fieldErrors
      : previewFieldErrors
  const failure = settled.error && fieldErrorsOf(settled.error).length === 0 ? settled.error : null

  const onSave = () =>
    save.mutate(
      { kind: template.kind, subject: template.fragment ? null : draft.subject, body: draft.body },
      {
        onSuccess: (saved) => {
          setSaveError(null)
          onDraftDropped()
          notifySuccess(`“${saved.title}” saved`)
        },
        onError: (error) => {
          if (error instanceof ApiError && error.fieldErrors.length > 0) setSaveError({ draft, error })
          else notifyError(error, 'Could not save the message')
        },
      },
    )

  const onReset = (done: () => void) =>
    reset.mutate(template.kind, {
      onSuccess: () => {
        setSaveError(null)
        onDraftDropped()
        done()
        notifySuccess(`“${template.title}” is back to the default`)
      },
      onError: (error) => {
        done()
        notifyError(error, 'Could not reset the message')
      },
    })

  const onSaveStyle = () =>
    saveStyle.mutate(style, {
      onSuccess: () => {
        setStyleError(null)
        onStyleSaved()
        notifySuccess('Font saved: it applies to every email from now on')
      },
      onError: (error) => {
        if (error instanceof ApiError && error.fieldErrors.length > 0) setStyleError({ style, error })
        else notifyError(error, 'Could not save the font')
      },
    })

  return (
    <Grid gap="md" align="stretch">
      {/* The code editor gets the widest column. */}
      <Grid.Col span={{ base: 12, lg: 5 }} miw={0}>
        <TemplateEditor
          template={template}
          draft={draft}
          onChange={onDraftChange}
          errors={templateErrors}
          editable={editable}
          dirty={dirty}
          timeZone={instance.timeZone}
          saving={save.isPending}
          resetting={reset.isPending}
          onSave={onSave}
          onDiscard={() => {
            setSaveError(null)
            onDraftDropped()
          }}
          onReset={onReset}
        />
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 'auto' }} miw={0}>
        <EmailPreview
          preview={settled.preview}
          updating={preview.isFetching || settledKey !== JSON.stringify(input)}
          invalid={previewFieldErrors.length > 0}
          failure={failure}
          fragment={template.fragment}
          sample={previewUser === null}
          controls={<PreviewAs slug={instance.slug} value={previewUser} onChange={onPreviewUserChange} error={previewUserError} />}
        />
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 'content' }}>
        <Box w={{ base: '100%', lg: 230 }} h="100%">
          <FontPanel
            fonts={list.fonts}
            min={list.font_size_min}
            max={list.font_size_max}
            value={style}
            saved={list.style}
            onChange={onStyleChange}
            onSave={onSaveStyle}
            saving={saveStyle.isPending}
            editable={editable}
            errors={fontErrors}
          />
        </Box>
      </Grid.Col>
    </Grid>
  )
}

function MessagesEditor({ instance, list }: { instance: InstanceRef; list: TemplateList }) {
  const [params, setParams] = useSearchParams()
  const [drafts, setDrafts] = useState<Partial<Record<TemplateKind, TemplateDraft>>>({})
  const [styleDraft, setStyleDraft] = useState<EmailStyle | null>(null)
  const [previewUser, setPreviewUser] = useState<PreviewUser | null>(null)
  const template = list.items.find((t) => t.kind === params.get('message')) ?? list.items[0]
  const editable = can.editTemplates(instance.role)

  const isDirty = (t: EmailTemplate) => {
    const d = drafts[t.kind]
    return d !== undefined && !sameDraft(d, draftOf(t))
  }
  const anyDirty = list.items.some(isDirty) || styleDraft !== null
  const leaveGuard = useUnsavedChangesGuard(anyDirty, 'Some email messages or the font have unsaved changes; they will be lost.')

  if (!template) return <Text c="dimmed">This instance has no email messages.</Text>

  const select = (kind: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev)
        next.set('message', kind)
        return next
      },
      { replace: true },
    )
  const dropDraft = (kind: TemplateKind) =>
    setDrafts((prev) => {
      const next = { ...prev }
      delete next[kind]
      return next
    })
  const style = styleDraft ?? list.style

  return (
    <Stack gap="md">
      {leaveGuard}
      {!editable && (
        <Alert variant="light" color="gray" icon={<IconLock size={18} aria-hidden />} p="sm">
          Your role on this instance is viewer: you can read the messages and preview them; developers, admins and owners can
          change them.
        </Alert>
      )}
      <ScrollArea type="auto" offsetScrollbars="x">
        <SegmentedControl
          aria-label="Message"
          value={template.kind}
          onChange={select}
          data={list.items.map((t) => ({
            value: t.kind,
            label: (
              <Group gap={6} wrap="nowrap" justify="center">
                <span>{t.title}</span>
                {isDirty(t) && (
                  <Box
                    component="span"
                    w={7}
                    h={7}
                    bg="orange.6"
                    style={{ borderRadius: '50%', flexShrink: 0 }}
                    aria-label="unsaved"
                    title="Unsaved changes"
                  />
                )}
                {t.customized && !isDirty(t) && (
                  <Box component="span" w={7} h={7} bg="blue.6" style={{ borderRadius: '50%', flexShrink: 0 }} aria-label="customized" title="Customized" />
                )}
              </Group>
            ),
          }))}
        />
      </ScrollArea>
      <MessageWorkspace
        key={template.kind}
        instance={instance}
        list={list}
        template={template}
        draft={drafts[template.kind] ?? draftOf(template)}
        dirty={isDirty(template)}
        onDraftChange={(draft) => setDrafts((prev) => ({ ...prev, [template.kind]: draft }))}
        onDraftDropped={() => dropDraft(template.kind)}
        style={style}
        onStyleChange={(next) =>
          setStyleDraft(next.font_family === list.style.font_family && next.font_size === list.style.font_size ? null : next)
        }
        onStyleSaved={() => setStyleDraft(null)}
        previewUser={previewUser}
        onPreviewUserChange={setPreviewUser}
      />
    </Stack>
  )
}

export function MessagesTab({ instance }: { instance: InstanceRef }) {
  const templates = useEmailTemplates(instance.slug)
  if (templates.isError) {
    return <ErrorAlert error={templates.error} title="Could not load the email messages" onRetry={() => templates.refetch()} />
  }
  if (templates.isPending) {
    return (
      <Stack role="status" aria-label="Loading the email messages">
        <Skeleton h={36} w={720} maw="100%" />
        <Skeleton h={480} />
      </Stack>
    )
  }
  return <MessagesEditor instance={instance} list={templates.data} />
}
