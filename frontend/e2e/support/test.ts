/**
 * Playwright's `test` with one check added to every test: nothing the console does breaks the
 * Content-Security-Policy the server sends with it (no inline or eval'd script, nothing loaded or
 * called from elsewhere). Chromium reports each blocked action on the page's console; they are
 * collected from every page the test opens, and the test fails if there is any.
 */
import { expect, test as base, type BrowserContext, type Page } from '@playwright/test'

const VIOLATION = /Content Security Policy|Refused to/i

/**
 * Collects the CSP violations of every page of `context` into `found` (for contexts a test makes
 * itself; the default context is watched by the fixture below).
 */
export function watchCsp(context: BrowserContext, found: string[]): void {
  const watch = (page: Page) =>
    page.on('console', (message) => {
      if (VIOLATION.test(message.text())) found.push(`${page.url()}: ${message.text()}`)
    })
  context.pages().forEach(watch)
  context.on('page', watch)
}

export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ context }, use) => {
      const found: string[] = []
      watchCsp(context, found)
      await use(found)
      expect(found, 'Content-Security-Policy violations').toEqual([])
    },
    { auto: true },
  ],
})

export { expect }
export type { Page }
