/**
 * An HTML document (an email's body) in an iframe with every sandbox restriction on
 * (`sandbox=""`): no scripts, no forms, no popups, no access to the console's origin or its session.
 */
export function SandboxedHtml({ html, title, height = 480 }: { html: string; title: string; height?: number | string }) {
  return (
    <iframe
      title={title}
      sandbox=""
      srcDoc={html}
      referrerPolicy="no-referrer"
      style={{ display: 'block', width: '100%', height, border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8, background: 'white' }}
    />
  )
}
