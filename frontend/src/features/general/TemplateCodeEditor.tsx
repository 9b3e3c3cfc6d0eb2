/**
 * The code editor of a template body: CodeMirror 6 with HTML (and CSS) highlighting, the template tags
 * marked, line numbers and the error lines. Loaded lazily (TemplateEditor): CodeMirror is large and
 * only this tab needs it.
 *
 * Keyboard: Tab is not taken by the editor (it moves on to the next field, as in any form);
 * Ctrl/⌘+] and Ctrl/⌘+[ indent, Ctrl/⌘+Z undoes.
 */
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { Annotation, Compartment, EditorState, type Extension } from '@codemirror/state'
import { drawSelection, EditorView, keymap, lineNumbers } from '@codemirror/view'
import { useEffect, useImperativeHandle, useLayoutEffect, useRef, type Ref } from 'react'
import { emailHtml } from './htmlLanguage'
import { editorTheme, errorLines, setErrorLines, templateTags } from './templateSyntax'

export interface TemplateCodeEditorHandle {
  /** Replaces the selection with `text`, puts the caret after it and focuses the editor. */
  insert: (text: string) => void
  focus: () => void
}

export interface TemplateCodeEditorProps {
  value: string
  onChange: (value: string) => void
  readOnly: boolean
  /** The id of the element naming the editor (its label). */
  labelledBy: string
  /** The ids of the elements describing it (description, errors), space-separated. */
  describedBy?: string
  invalid: boolean
  /** Lines (1-based) the last check found errors on. */
  errorLines: number[]
  onFocus?: () => void
  ref?: Ref<TemplateCodeEditorHandle>
}

/** Marks the changes that come from the `value` prop, which must not be reported back. */
const fromProps = Annotation.define<boolean>()

function accessibility({ labelledBy, describedBy, invalid, readOnly }: Pick<TemplateCodeEditorProps, 'labelledBy' | 'describedBy' | 'invalid' | 'readOnly'>): Extension {
  return [
    EditorView.contentAttributes.of({
      'aria-labelledby': labelledBy,
      ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      'aria-invalid': invalid ? 'true' : 'false',
      'aria-readonly': readOnly ? 'true' : 'false',
    }),
    EditorView.editorAttributes.of({ class: invalid ? 'cm-template-invalid' : '' }),
    // Read-only still lets the text be focused, selected and copied.
    EditorState.readOnly.of(readOnly),
  ]
}

export default function TemplateCodeEditor({
  value,
  onChange,
  readOnly,
  labelledBy,
  describedBy,
  invalid,
  errorLines: lines,
  onFocus,
  ref,
}: TemplateCodeEditorProps) {
  const host = useRef<HTMLDivElement>(null)
  const view = useRef<EditorView | null>(null)
  const options = useRef(new Compartment())
  const handlers = useRef({ onChange, onFocus })
  useLayoutEffect(() => {
    handlers.current = { onChange, onFocus }
  })

  useEffect(() => {
    if (!host.current) return
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          drawSelection(),
          bracketMatching(),
          EditorView.lineWrapping,
          // No Tab binding (no indentWithTab): Tab leaves the editor.
          keymap.of([...defaultKeymap, ...historyKeymap]),
          emailHtml(),
          syntaxHighlighting(defaultHighlightStyle),
          templateTags,
          errorLines,
          editorTheme,
          options.current.of(accessibility({ labelledBy, describedBy, invalid, readOnly })),
          EditorView.updateListener.of((update) => {
            if (update.docChanged && !update.transactions.some((tr) => tr.annotation(fromProps))) {
              handlers.current.onChange(update.state.doc.toString())
            }
          }),
          EditorView.domEventHandlers({
            focus: () => {
              handlers.current.onFocus?.()
            },
          }),
        ],
      }),
    })
    view.current = editor
    return () => {
      editor.destroy()
      view.current = null
    }
    // Made once; the effects below follow the props.
    // oxlint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  // A value from outside (discarded, reset, another message): the editor shows it.
  useEffect(() => {
    const editor = view.current
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value }, annotations: fromProps.of(true) })
    }
  }, [value])

  useEffect(() => {
    view.current?.dispatch({ effects: options.current.reconfigure(accessibility({ labelledBy, describedBy, invalid, readOnly })) })
  }, [labelledBy, describedBy, invalid, readOnly])

  const linesKey = lines.join(',')
  useEffect(() => {
    view.current?.dispatch({ effects: setErrorLines.of(linesKey ? linesKey.split(',').map(Number) : []) })
  }, [linesKey])

  useImperativeHandle(
    ref,
    () => ({
      insert: (text: string) => {
        const editor = view.current
        if (!editor || editor.state.readOnly) return
        editor.dispatch(editor.state.replaceSelection(text), { scrollIntoView: true, userEvent: 'input' })
        editor.focus()
      },
      focus: () => view.current?.focus(),
    }),
    [],
  )

  return <div ref={host} />
}
