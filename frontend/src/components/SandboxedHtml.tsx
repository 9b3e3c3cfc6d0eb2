import { useMemo } from 'react'
import { htmlWithNewTabLinks } from '../lib/emailLinks'

/** `links="new-tab"`: a click opens an ordinary new tab, outside the sandbox; nothing else is allowed. */
const NEW_TAB_SANDBOX = 'allow-popups allow-popups-to-escape-sandbox'

/**
 * An HTML document (an email's body) in a sandboxed iframe: no scripts, no forms, no access to the
 * console's origin or its session, no navigating the console.
 *
 * - `links="none"` (default): every sandbox restriction on (`sandbox=""`); links do nothing.
 * - `links="new-tab"`: links open in a new tab (a `<base target="_blank">` is injected and every link
 *   gets `target="_blank" rel="noopener noreferrer"`), so the frame never navigates itself. The
 *   sandbox only adds popups (the new tab escapes it, as an ordinary page); never scripts or the
 *   console's origin.
 */
export function SandboxedHtml({
  html,
  title,
  height = 480,
  links = 'none',
}: {
  html: string
  title: string
  height?: number | string
  links?: 'none' | 'new-tab'
}) {
  const newTab = links === 'new-tab'
  const srcDoc = useMemo(() => (newTab ? htmlWithNewTabLinks(html) : html), [html, newTab])
  return (
    <iframe
      title={title}
      sandbox={newTab ? NEW_TAB_SANDBOX : ''}
      srcDoc={srcDoc}
      referrerPolicy="no-referrer"
      style={{ display: 'block', width: '100%', height, border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8, background: 'white' }}
    />
  )
}
