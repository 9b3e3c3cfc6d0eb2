/** Test helpers for the General area: a fake API answering by method and path. */
import { EditorView } from '@codemirror/view'
import { act } from '@testing-library/react'
import { vi } from 'vitest'
import { jsonResponse } from '../../test/render'

export interface Seen {
  method: string
  path: string
  /** The query string, without `?`. */
  query: string
  body: unknown
}

export type Handler = (request: { method: string; path: string; query: URLSearchParams; body: unknown }) => Response | Promise<Response> | undefined

export function problem(status: number, code: string, detail: string, errors?: unknown[]) {
  return jsonResponse({ type: `urn:steward:problem:${code}`, title: 'Error', status, code, detail, errors }, status)
}

/** Stubs `fetch`: each request goes to `handler`; unanswered ones get a 404 problem. */
export function stubFetch(handler: Handler) {
  const seen: Seen[] = []
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init)
    const url = new URL(request.url)
    const text = request.method === 'GET' || request.method === 'DELETE' ? '' : await request.text()
    const body: unknown = text ? JSON.parse(text) : null
    seen.push({ method: request.method, path: url.pathname, query: url.searchParams.toString(), body })
    if (url.pathname === '/api/v1/me') {
      return jsonResponse({ id: 'a1', email: 'owner@example.com', name: 'Owner', created_at: '2026-11-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z' })
    }
    return (await handler({ method: request.method, path: url.pathname, query: url.searchParams, body })) ?? problem(404, 'not_found', `No route ${request.method} ${url.pathname}`)
  })
  vi.stubGlobal('fetch', fetchMock)
  return seen
}

// --- The template code editor (CodeMirror) under jsdom ------------------------------------------

/**
 * jsdom has no layout: CodeMirror measures text ranges to draw the cursor and the selection.
 * Empty rectangles are enough for it to work (call once per test file).
 */
export function stubLayoutForCodeMirror() {
  const empty = () => new DOMRect(0, 0, 0, 0)
  const none = () => Object.assign([] as DOMRect[], { item: () => null }) as unknown as DOMRectList
  Range.prototype.getBoundingClientRect ??= empty
  Range.prototype.getClientRects ??= none
}

/** The CodeMirror view behind an editor's content element (`getByRole('textbox', { name: 'Body' })`). */
export function editorView(content: HTMLElement): EditorView {
  const view = EditorView.findFromDOM(content.closest('.cm-editor') as HTMLElement)
  if (!view) throw new Error('Not a CodeMirror editor')
  return view
}

/** The text in the editor. */
export function editorText(content: HTMLElement): string {
  return editorView(content).state.doc.toString()
}

/** Replaces the editor's text as typing would (an `input.type` transaction, reported to the page). */
export function typeInEditor(content: HTMLElement, text: string) {
  const view = editorView(content)
  act(() => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, userEvent: 'input.type' }))
}

/** Puts the editor's caret at `pos`. */
export function placeCaret(content: HTMLElement, pos: number) {
  const view = editorView(content)
  act(() => view.dispatch({ selection: { anchor: pos } }))
}
