import { Box, Code } from '@mantine/core'
import { CopyIconButton } from './CopyIconButton'

/**
 * A block of code to paste (a command, a configuration file) with a copy button; `label` names it
 * ("curl snippet"). `wrap` breaks long lines (a one-line command) instead of scrolling them; a
 * block that may scroll is focusable, so the keyboard can scroll it too.
 */
export function CodeSnippet({ code, label, wrap = false }: { code: string; label: string; wrap?: boolean }) {
  return (
    <Box pos="relative">
      <Code
        block
        style={{ whiteSpace: wrap ? 'pre-wrap' : 'pre', overflowWrap: wrap ? 'anywhere' : undefined, overflowX: 'auto', paddingRight: 44 }}
        aria-label={label}
        tabIndex={wrap ? undefined : 0}
      >
        {code}
      </Code>
      <Box pos="absolute" top={6} right={6}>
        <CopyIconButton value={code} label={`Copy ${label}`} />
      </Box>
    </Box>
  )
}
