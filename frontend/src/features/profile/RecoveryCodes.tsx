import { Alert, Button, Checkbox, CopyButton, Group, Paper, SimpleGrid, Stack, Text } from '@mantine/core'
import { IconCheck, IconCopy, IconDownload } from '@tabler/icons-react'
import { useState } from 'react'

/** The codes as a text file: one per line, with a line saying what they are. */
function recoveryCodesText(codes: string[], account: string): string {
  return [
    `Steward recovery codes for ${account}`,
    `Generated ${new Date().toISOString()}`,
    'Each code signs you in once if you lose your authenticator app.',
    '',
    ...codes,
    '',
  ].join('\n')
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }))
  const link = document.createElement('a')
  link.href = url
  link.download = name
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

/**
 * Freshly issued recovery codes, shown once: copy or download them, and confirm they are saved
 * before going on.
 */
export function RecoveryCodesView({ codes, account, onDone }: { codes: string[]; account: string; onDone: () => void }) {
  const [saved, setSaved] = useState(false)
  const text = recoveryCodesText(codes, account)
  return (
    <Stack>
      <Alert color="yellow" title="Save your recovery codes now">
        Each code signs you in once if you lose your authenticator app. They are shown only this once; store them in a
        password manager or print them.
      </Alert>
      <Paper withBorder p="md" bg="var(--mantine-color-gray-0)">
        <SimpleGrid cols={2} spacing="xs" aria-label="Recovery codes" role="list">
          {codes.map((code) => (
            <Text key={code} ff="monospace" size="sm" role="listitem">
              {code}
            </Text>
          ))}
        </SimpleGrid>
      </Paper>
      <Group>
        <CopyButton value={codes.join('\n')} timeout={2000}>
          {({ copied, copy }) => (
            <Button variant="default" leftSection={copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />} onClick={copy}>
              {copied ? 'Copied' : 'Copy codes'}
            </Button>
          )}
        </CopyButton>
        <Button variant="default" leftSection={<IconDownload size={16} aria-hidden />} onClick={() => download('steward-recovery-codes.txt', text)}>
          Download .txt
        </Button>
      </Group>
      <Checkbox label="I have saved these recovery codes somewhere safe" checked={saved} onChange={(e) => setSaved(e.currentTarget.checked)} />
      <Group justify="flex-end">
        <Button onClick={onDone} disabled={!saved}>
          Done
        </Button>
      </Group>
    </Stack>
  )
}
