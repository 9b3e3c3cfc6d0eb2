import '@testing-library/jest-dom/vitest'
import { notifications } from '@mantine/notifications'
import { cleanup, configure, getConfig, prettyDOM } from '@testing-library/react'
import { createElement } from 'react'
import type * as Recharts from 'recharts'
import { afterAll, afterEach, beforeEach, vi } from 'vitest'
import { session } from '../lib/session'
import { clearQueryClients } from './render'

// Charts (@mantine/charts) size themselves to their box through recharts' ResponsiveContainer, and
// jsdom lays nothing out (every box is 0 × 0: recharts warns on every render). Tests check what a
// page shows around its charts, not the drawing: a chart is an empty box of a fixed size here.
// (vite.config.ts has Vitest process @mantine/charts, so that this mock reaches its imports.)
vi.mock('recharts', async (importOriginal) => ({
  ...(await importOriginal<typeof Recharts>()),
  ResponsiveContainer: () => createElement('div', { 'data-testid': 'chart', style: { width: 640, height: 240 } }),
}))

// The test files of a worker share one window and one module cache (`isolate: false` in
// vite.config.ts), and this file runs again before each of them: what it patches is patched once,
// and what a test may leave behind is reset after every test (below).
const patched = window as Window & { stewardTestPatched?: boolean }

// `findBy…` and `waitFor` wait for their condition up to 5 s, not 1 s: on a busy 2-core machine a
// page that renders for the first time in a worker (cold code) can take more than a second. A
// condition that holds still ends the wait at once; only a failing test waits longer.
//
// A query that finds nothing prints the whole page in its error. While `findBy…` / `waitFor` poll
// (at every change of the page), such an error is only kept in case the wait times out, and the
// timeout prints the page itself: printing it at every poll (most of a big page's waiting time)
// is skipped. Every other failing query prints it as before.
// (Testing Library's own flag, set while a `waitFor` callback runs.)
const POLLING = '_disableExpensiveErrorDiagnostics'
configure({
  asyncUtilTimeout: 5_000,
  getElementError(message, container) {
    const polling = (getConfig() as unknown as Record<string, unknown>)[POLLING] === true
    const page = polling ? null : `Ignored nodes: comments, ${getConfig().defaultIgnore}\n${prettyDOM(container)}`
    const error = new Error([message, page].filter(Boolean).join('\n\n'))
    error.name = 'TestingLibraryElementError'
    return error
  },
})

// Mantine needs these browser APIs that jsdom lacks. The user asks for reduced motion: with the
// test theme's `respectReducedMotion` (src/test/render.tsx), Mantine's modals, drawers, popovers
// and notifications open and close at once instead of after a transition of 150-250 ms.
Object.defineProperty(window, 'matchMedia', {
  writable: true,
  value: vi.fn().mockImplementation((query: string) => ({
    matches: /prefers-reduced-motion:\s*reduce/.test(query),
    media: query,
    onchange: null,
    addListener: vi.fn(),
    removeListener: vi.fn(),
    addEventListener: vi.fn(),
    removeEventListener: vi.fn(),
    dispatchEvent: vi.fn(),
  })),
})

class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
window.ResizeObserver = ResizeObserverStub as unknown as typeof ResizeObserver
window.HTMLElement.prototype.scrollIntoView = () => {}
// Textarea's autosize listens for font loading.
if (!('fonts' in document)) {
  Object.defineProperty(document, 'fonts', {
    value: { addEventListener: () => {}, removeEventListener: () => {}, ready: Promise.resolve() },
  })
}

if (!patched.stewardTestPatched) {
  patched.stewardTestPatched = true
  const { getComputedStyle } = window
  window.getComputedStyle = (elt: Element, pseudo?: string | null) => getComputedStyle(elt, pseudo)
}

// Tests replace these (`Object.assign(URL, { createObjectURL: vi.fn() })`): put them back after each.
const { createObjectURL, revokeObjectURL } = URL

// Some test files give jsdom's Range the layout methods CodeMirror needs
// (src/features/general/testing.ts): the next file gets the Range jsdom has.
const rangeLayout = ['getBoundingClientRect', 'getClientRects'] as const
const rangeLayoutMissing = rangeLayout.filter((name) => !(name in Range.prototype))
afterAll(() => {
  for (const name of rangeLayoutMissing) delete (Range.prototype as Partial<Range>)[name]
})

// A page load starts by restoring the session from its cookie; tests start signed out instead
// (as after a refused restore), and sign in when they need to.
beforeEach(() => session.clear())

afterEach(() => {
  cleanup()
  clearQueryClients()
  // jsdom keeps the style sheet of a <style> whose ancestor was removed (Mantine's inline styles):
  // every later getComputedStyle would still go through its rules. Emptying the element drops it.
  for (const sheet of Array.from(document.styleSheets)) {
    if (sheet.ownerNode && !sheet.ownerNode.isConnected) sheet.ownerNode.textContent = ''
  }
  // What the next test (maybe of another file) must not see.
  notifications.clean()
  localStorage.clear()
  sessionStorage.clear()
  document.title = ''
  vi.useRealTimers()
  vi.unstubAllGlobals()
  Object.assign(URL, { createObjectURL, revokeObjectURL })
})
