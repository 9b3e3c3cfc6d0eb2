import { Anchor, Code } from '@mantine/core'
import { useMemo } from 'react'
import { linkifyText } from '../lib/emailLinks'

/**
 * The plain-text part of an email, as written, with its http(s) URLs as links that open in a new
 * tab (`rel="noopener noreferrer"`: the page gets neither the console's window nor its address).
 */
export function LinkifiedText({ text, label, empty = '(empty)' }: { text: string; label: string; empty?: string }) {
  const parts = useMemo(() => linkifyText(text), [text])
  return (
    <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', background: 'transparent', padding: 0 }} aria-label={label}>
      {text
        ? parts.map((part, i) =>
            part.href ? (
              <Anchor key={i} href={part.href} target="_blank" rel="noopener noreferrer" inherit>
                {part.text}
              </Anchor>
            ) : (
              part.text
            ),
          )
        : empty}
    </Code>
  )
}
