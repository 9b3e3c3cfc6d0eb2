import { Alert, Box, Code, Group, Loader, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core'
import { IconAlertTriangle } from '@tabler/icons-react'
import { useState, type ReactNode } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { SandboxedHtml } from '../../components/SandboxedHtml'
import type { Preview } from './model'

/**
 * The rendered draft: the HTML in a fully sandboxed frame (or the plain-text part), its subject,
 * and — when the draft does not render — the last version that did, marked as such.
 */
export function EmailPreview({
  preview,
  updating,
  invalid,
  failure,
  fragment,
  sample,
  controls,
}: {
  /** The latest rendering that worked (null before the first one). */
  preview: Preview | null
  updating: boolean
  /** The draft has field errors: the preview is of an earlier draft. */
  invalid: boolean
  /** An error that is not about a field (network, server). */
  failure: unknown
  fragment: boolean
  /** Rendered with sample values (not a chosen end user's). */
  sample: boolean
  /** Above the rendering: whose values to use. */
  controls?: ReactNode
}) {
  const [mode, setMode] = useState<'html' | 'text'>('html')
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="preview-heading" h="100%">
      <Stack gap="sm">
        <Group justify="space-between" gap="xs">
          <Group gap="xs">
            <Title order={2} fz="h5" id="preview-heading">
              Live preview
            </Title>
            {updating && <Loader size={14} aria-label="Updating the preview" />}
          </Group>
          <SegmentedControl
            size="xs"
            aria-label="Preview format"
            value={mode}
            onChange={(v) => setMode(v === 'text' ? 'text' : 'html')}
            data={[
              { value: 'html', label: 'HTML' },
              { value: 'text', label: 'Plain text' },
            ]}
          />
        </Group>
        {controls}
        {fragment && (
          <Text size="xs" c="dimmed">
            Shown inside the email verification message{sample ? ', with sample values' : ''}.
          </Text>
        )}
        {failure ? <ErrorAlert error={failure} title="Could not render the preview" /> : null}
        {invalid && (
          <Alert color="orange" variant="light" p="xs" icon={<IconAlertTriangle size={16} aria-hidden />}>
            <Text size="xs">The draft has errors (see the fields): this is the last version that rendered.</Text>
          </Alert>
        )}
        {preview ? (
          <Stack gap="xs" style={{ opacity: invalid ? 0.55 : 1, transition: 'opacity 150ms' }}>
            <Text size="sm" style={{ overflowWrap: 'anywhere' }} aria-label="Rendered subject">
              <Text span c="dimmed" size="sm">
                Subject:{' '}
              </Text>
              {preview.subject}
            </Text>
            {mode === 'html' ? (
              <SandboxedHtml html={preview.html} title="Email preview" height={560} />
            ) : (
              <Box
                h={560}
                p="md"
                style={{ overflow: 'auto', border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8, background: 'white' }}
              >
                <Code block aria-label="Plain text part" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', background: 'transparent', padding: 0 }}>
                  {preview.text || '(empty)'}
                </Code>
              </Box>
            )}
          </Stack>
        ) : !failure ? (
          <Group gap="xs" h={200} justify="center" role="status">
            <Loader size="sm" />
            <Text size="sm" c="dimmed">
              Rendering…
            </Text>
          </Group>
        ) : null}
      </Stack>
    </Paper>
  )
}
