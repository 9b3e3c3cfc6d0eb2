/**
 * HTML for email templates: the HTML grammar with CSS inside `<style>` and `style="…"` (what
 * emails use), without the JavaScript and autocompletion that @codemirror/lang-html brings along
 * (a third of the editor's size; emails run no scripts).
 */
import { LanguageSupport, LRLanguage } from '@codemirror/language'
import { parser as cssParser } from '@lezer/css'
import { configureNesting, parser as htmlParser } from '@lezer/html'

const emailHtmlLanguage = LRLanguage.define({
  name: 'html',
  parser: htmlParser.configure({
    wrap: configureNesting([{ tag: 'style', parser: cssParser }], [{ name: 'style', parser: cssParser.configure({ top: 'Styles' }) }]),
  }),
  languageData: { commentTokens: { block: { open: '<!--', close: '-->' } } },
})

export function emailHtml(): LanguageSupport {
  return new LanguageSupport(emailHtmlLanguage)
}
