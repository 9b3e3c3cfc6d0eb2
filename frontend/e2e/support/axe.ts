/**
 * Accessibility checks with axe-core: WCAG 2.0 and 2.1, levels A and AA. A page passes when axe
 * finds no violation of impact "serious" or "critical" (the moderate and minor ones are reported
 * in the log, not failed on).
 *
 * No rule is ever turned off for a whole page: an exception names the rule, the one element (a
 * CSS selector as axe prints it) and why it cannot reasonably be fixed, and only that element's
 * finding of that rule is dropped.
 */
import { AxeBuilder } from '@axe-core/playwright'
import { expect, type Page } from '@playwright/test'

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

const FAILING = new Set(['serious', 'critical'])

/** Frames sandboxed without `allow-scripts` (see expectAccessible). */
const SANDBOXED_FRAMES = 'iframe[sandbox]:not([sandbox*="allow-scripts"])'

export interface AxeException {
  /** The axe rule id, e.g. `color-contrast`. */
  rule: string
  /** The element's selector as axe reports it (its `target`), or a pattern for it. */
  target: string | RegExp
  /** Why this element cannot be fixed (shown with the finding if the exception goes unused). */
  why: string
}

export interface AxeCheckOptions {
  exceptions?: AxeException[]
}

interface Finding {
  rule: string
  impact: string
  help: string
  targets: string[]
}

function targetText(target: unknown): string {
  // A target is a selector, or a list of selectors through iframes / shadow roots.
  return Array.isArray(target) ? target.map(targetText).join(' >>> ') : String(target)
}

function excepted(rule: string, target: string, exceptions: AxeException[]): boolean {
  return exceptions.some((e) => e.rule === rule && (typeof e.target === 'string' ? e.target === target : e.target.test(target)))
}

/**
 * Runs axe on the page as it is now: the serious and critical findings, one line per rule (its
 * impact, id and help) followed by the elements at fault (selector and the start of the HTML).
 */
export async function axeFindings(page: Page, where: string, options: AxeCheckOptions = {}): Promise<string[]> {
  // The email bodies the console shows are sandboxed frames without scripts: axe cannot run in
  // them (it needs timers, which such a frame never fires, so it would wait forever). Their
  // content is the email's, not the console's; the frame element itself must still be named.
  const frames = page.locator(SANDBOXED_FRAMES)
  for (let i = 0, n = await frames.count(); i < n; i++) {
    expect.soft(await frames.nth(i).getAttribute('title'), `${where}: a sandboxed frame without a title (frame-title)`).toMatch(/\S/)
  }
  // Legacy mode: one axe.run in the page. The console has no cross-origin frames, which is what
  // the default mode (a partial run per frame, finished in a new blank page) is for; this is faster.
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).exclude(SANDBOXED_FRAMES).setLegacyMode(true).analyze()
  const exceptions = options.exceptions ?? []
  const findings: Finding[] = []
  const minor: string[] = []
  for (const violation of results.violations) {
    const targets = violation.nodes
      .filter((node) => !excepted(violation.id, targetText(node.target), exceptions))
      .map((node) => `${targetText(node.target)}  ${node.html.replace(/\s+/g, ' ').slice(0, 160)}`)
    if (targets.length === 0) continue
    const impact = violation.impact ?? 'unknown'
    if (FAILING.has(impact)) findings.push({ rule: violation.id, impact, help: violation.help, targets })
    else minor.push(`${violation.id} (${impact}) ×${targets.length}`)
  }
  if (minor.length > 0) console.log(`axe, ${where}: not failing on ${minor.join('; ')}`)
  return findings.map((f) => `[${f.impact}] ${f.rule}: ${f.help}\n    ${f.targets.join('\n    ')}`)
}

/**
 * Fails (softly: the test goes on, so one run lists every page's problems) on any serious or
 * critical axe finding on the page as it is now, printing them all. `where` names the page.
 */
export async function expectAccessible(page: Page, where: string, options: AxeCheckOptions = {}): Promise<void> {
  const report = await axeFindings(page, where, options)
  expect.soft(report, `Accessibility violations (serious or critical) on ${where}:\n${report.join('\n')}\n`).toEqual([])
}
