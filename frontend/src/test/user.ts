import type { UserEvent } from '@testing-library/user-event'

/**
 * Enters `text` into an empty text field as a person pasting it would: a click into the field,
 * then one paste (`beforeinput`/`input` events, as for typing, and a change for the page).
 *
 * For a test that fills a field on the way to what it checks. Under jsdom every keystroke of
 * `user.type` re-renders the whole form (five events and a React commit per character), which
 * was most of the time of the form tests. A test about what happens while typing (a debounce,
 * a live check of each key, a half-typed value) keeps `user.type`.
 */
export async function fill(user: UserEvent, field: HTMLElement, text: string): Promise<void> {
  await user.click(field)
  await user.paste(text)
}
