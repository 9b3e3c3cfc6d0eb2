import { screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { linkifyText } from '../lib/emailLinks'
import { renderPage } from '../test/render'
import { LinkifiedText } from './LinkifiedText'
import { SandboxedHtml } from './SandboxedHtml'

const EMAIL = `<!DOCTYPE html><html><head><meta http-equiv="Refresh" content="0; url=https://evil.example"><base target="_self"><title>Hi</title></head>
<body><p>Hello</p><script>parent.alert(1)</script>
<a href="https://shop.example.com/verify?token=abc" target="_self" rel="external">Verify</a>
<a href="https://shop.example.com/help">Help</a>
<svg><a xlink:href="https://shop.example.com/logo" target="_self"><text>Logo</text></a></svg></body></html>`

/** The frame's document, parsed as the browser will (a detached document: read attributes, not jest-dom matchers). */
function frameDocument(frame: HTMLElement): Document {
  return new DOMParser().parseFromString(frame.getAttribute('srcdoc') ?? '', 'text/html')
}

function sandboxTokens(frame: HTMLElement): string[] {
  return (frame.getAttribute('sandbox') ?? '').split(/\s+/).filter(Boolean)
}

describe('SandboxedHtml', () => {
  it('keeps every sandbox restriction by default, and the HTML as given', () => {
    renderPage(<SandboxedHtml html={EMAIL} title="Preview" />)
    const frame = screen.getByTitle('Preview')
    expect(frame.getAttribute('sandbox')).toBe('')
    expect(frame.getAttribute('srcdoc')).toBe(EMAIL)
  })

  it('opens links in a new tab: only popups allowed, a <base target="_blank">, no scripts', () => {
    renderPage(<SandboxedHtml html={EMAIL} title="Reader" links="new-tab" />)
    const frame = screen.getByTitle('Reader')
    // Popups that escape the sandbox (an ordinary new tab), and nothing else: never scripts,
    // the console's origin, forms or navigating the console.
    expect(sandboxTokens(frame).toSorted()).toEqual(['allow-popups', 'allow-popups-to-escape-sandbox'])
    expect(frame.getAttribute('sandbox')).not.toMatch(/allow-scripts|allow-same-origin|allow-top-navigation|allow-forms/)
    expect(frame).toHaveAttribute('referrerpolicy', 'no-referrer')

    const srcdoc = frame.getAttribute('srcdoc') ?? ''
    expect(srcdoc.startsWith('<!DOCTYPE html>')).toBe(true)
    expect(srcdoc).not.toContain('<script')
    expect(srcdoc).not.toMatch(/http-equiv/i)

    const doc = frameDocument(frame)
    // The first <base> with a target decides: ours, first in the head; the email's lost its target.
    const bases = doc.head.querySelectorAll('base')
    expect(doc.head.firstElementChild?.outerHTML).toBe('<base target="_blank">')
    expect(Array.from(bases).filter((b) => b.hasAttribute('target'))).toHaveLength(1)
    expect(doc.querySelector('meta[name="referrer"]')?.getAttribute('content')).toBe('no-referrer')
    // A link's own target="_self" would navigate the frame: every link opens a new tab, without opener or referrer.
    const links = Array.from(doc.querySelectorAll('a[href]'))
    expect(links).toHaveLength(2)
    // An SVG link's target too.
    expect(doc.querySelector('svg a')?.getAttribute('target')).toBe('_blank')
    for (const a of links) {
      expect(a.getAttribute('target')).toBe('_blank')
      expect(a.getAttribute('rel')?.split(' ')).toEqual(expect.arrayContaining(['noopener', 'noreferrer']))
    }
    expect(links[0].getAttribute('rel')).toBe('external noopener noreferrer')
    expect(links[0].getAttribute('href')).toBe('https://shop.example.com/verify?token=abc')
    expect(doc.body.textContent).toContain('Hello')
  })

  it('works on a fragment (no html or head of its own)', () => {
    renderPage(<SandboxedHtml html={'<p>Hi</p><a href="https://x.example/">x</a>'} title="Fragment" links="new-tab" />)
    const doc = frameDocument(screen.getByTitle('Fragment'))
    expect(doc.head.firstElementChild?.outerHTML).toBe('<base target="_blank">')
    expect(doc.querySelector('a')?.getAttribute('target')).toBe('_blank')
  })
})

describe('plain-text links', () => {
  it('finds http(s) URLs, leaving the punctuation around them', () => {
    expect(linkifyText('Open https://a.example/x?y=1. Or (see http://b.example/p_(1)), then https://c.example/q!')).toEqual([
      { text: 'Open ' },
      { text: 'https://a.example/x?y=1', href: 'https://a.example/x?y=1' },
      { text: '. Or (see ' },
      { text: 'http://b.example/p_(1)', href: 'http://b.example/p_(1)' },
      { text: '), then ' },
      { text: 'https://c.example/q', href: 'https://c.example/q' },
      { text: '!' },
    ])
    expect(linkifyText('no links here, not even ftp://x.example')).toEqual([{ text: 'no links here, not even ftp://x.example' }])
    expect(linkifyText('')).toEqual([])
  })

  it('keeps a redacted token in its link', () => {
    const text = 'Verify: https://shop.example.com/verify?token=[redacted]\n'
    expect(linkifyText(text)[1]).toEqual({
      text: 'https://shop.example.com/verify?token=[redacted]',
      href: 'https://shop.example.com/verify?token=[redacted]',
    })
  })

  it('renders the URLs as links to a new tab, with no opener and no referrer', () => {
    renderPage(<LinkifiedText text={'Hello,\n\nhttps://shop.example.com/verify?token=abc\n\nBye'} label="Body" />)
    const link = screen.getByRole('link', { name: 'https://shop.example.com/verify?token=abc' })
    expect(link).toHaveAttribute('href', 'https://shop.example.com/verify?token=abc')
    expect(link).toHaveAttribute('target', '_blank')
    expect(link).toHaveAttribute('rel', 'noopener noreferrer')
    expect(screen.getByLabelText('Body')).toHaveTextContent(/^Hello, https:\/\/shop\.example\.com\/verify\?token=abc Bye$/)
  })
})
