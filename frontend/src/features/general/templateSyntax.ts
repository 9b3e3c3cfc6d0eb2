/**
 * CodeMirror pieces for email templates: the template tags (`{{ … }}`, `{% … %}`, `{# … #}`)
 * marked over the HTML highlighting, the lines a check found errors on, and the editor's look
 * (Mantine's colours and fonts). Loaded only with the editor (TemplateCodeEditor).
 */
import { RangeSetBuilder, StateEffect, StateField } from '@codemirror/state'
import { Decoration, EditorView, MatchDecorator, ViewPlugin, type DecorationSet, type ViewUpdate } from '@codemirror/view'

/** A template tag on one line: an expression, a statement or a comment. */
export const TEMPLATE_TAG = /\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}/g

/** The class a template tag is marked with. */
export function tagClass(tag: string): string {
  if (tag.startsWith('{%')) return 'cm-template-statement'
  if (tag.startsWith('{#')) return 'cm-template-comment'
  return 'cm-template-expression'
}

const marks: Record<string, Decoration> = {}
function mark(className: string): Decoration {
  marks[className] ??= Decoration.mark({ class: className })
  return marks[className]
}

const tags = new MatchDecorator({ regexp: TEMPLATE_TAG, decoration: (match) => mark(tagClass(match[0])) })

/** Marks the template tags (recomputed for the visible lines as the text changes). */
export const templateTags = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet
    constructor(view: EditorView) {
      this.decorations = tags.createDeco(view)
    }
    update(update: ViewUpdate) {
      this.decorations = tags.updateDeco(update, this.decorations)
    }
  },
  { decorations: (plugin) => plugin.decorations },
)

/** Sets the lines (1-based) that have errors. */
export const setErrorLines = StateEffect.define<number[]>()

const errorLine = Decoration.line({ class: 'cm-template-error-line' })

/** The error lines' background; follows edits until the next check says where the errors are. */
export const errorLines = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(lines, tr) {
    let next = lines.map(tr.changes)
    for (const effect of tr.effects) {
      if (!effect.is(setErrorLines)) continue
      const builder = new RangeSetBuilder<Decoration>()
      const wanted = [...new Set(effect.value)].filter((n) => n >= 1 && n <= tr.state.doc.lines).toSorted((a, b) => a - b)
      for (const n of wanted) {
        const line = tr.state.doc.line(n)
        builder.add(line.from, line.from, errorLine)
      }
      next = builder.finish()
    }
    return next
  },
  provide: (field) => EditorView.decorations.from(field),
})

/** Looks like Mantine's inputs: its border, radius, focus colour, monospace font. */
export const editorTheme = EditorView.theme({
  '&': {
    border: '1px solid var(--mantine-color-default-border)',
    borderRadius: 'var(--mantine-radius-sm)',
    backgroundColor: 'var(--mantine-color-body)',
    fontSize: '13px',
    maxHeight: '560px',
  },
  '&.cm-focused': { outline: 'none', borderColor: 'var(--mantine-primary-color-filled)' },
  '&.cm-template-invalid': { borderColor: 'var(--mantine-color-error)' },
  '.cm-scroller': { fontFamily: 'var(--mantine-font-family-monospace)', lineHeight: '1.5', overflow: 'auto' },
  '.cm-content, .cm-gutter': { minHeight: '240px' },
  '.cm-gutters': {
    backgroundColor: 'var(--mantine-color-gray-0)',
    color: 'var(--mantine-color-gray-7)',
    borderRight: '1px solid var(--mantine-color-default-border)',
    borderRadius: 'var(--mantine-radius-sm) 0 0 var(--mantine-radius-sm)',
  },
  '.cm-template-expression': { color: 'var(--mantine-color-grape-8)', backgroundColor: 'var(--mantine-color-grape-0)', borderRadius: '3px' },
  '.cm-template-statement': { color: 'var(--mantine-color-blue-8)', backgroundColor: 'var(--mantine-color-blue-0)', borderRadius: '3px', fontWeight: '600' },
  '.cm-template-comment': { color: 'var(--mantine-color-gray-7)', fontStyle: 'italic' },
  '.cm-template-error-line': { backgroundColor: 'var(--mantine-color-red-0)' },
})
