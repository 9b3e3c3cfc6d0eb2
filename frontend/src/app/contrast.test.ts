import { DEFAULT_THEME, luminance, mergeMantineTheme } from '@mantine/core'
import { describe, expect, it } from 'vitest'
import { cssVariablesResolver, theme } from './config'

const merged = mergeMantineTheme(DEFAULT_THEME, theme)
const light: Record<string, string> = cssVariablesResolver(merged).light

/** A colour, or `var(--mantine-color-<name>-<shade>)` of the theme's palettes. */
function resolve(value: string): string {
  const shade = /^var\(--mantine-color-([a-z]+)-(\d)\)$/.exec(value)
  return shade ? merged.colors[shade[1]][Number(shade[2])] : value
}

function contrast(a: string, b: string): number {
  const [la, lb] = [luminance(resolve(a)), luminance(resolve(b))]
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)
}

const WHITE = '#ffffff'
const GRAY_1 = merged.colors.gray[1]

/** The pairs below 4.5:1, as "what: ratio" (empty when all pass). */
function failing(pairs: [what: string, text: string, background: string][]): string[] {
  return pairs.filter(([, text, background]) => contrast(text, background) < 4.5).map(([what, text, background]) => `${what}: ${contrast(text, background).toFixed(2)}`)
}

describe('the theme’s text colours (WCAG AA, 4.5:1)', () => {
  it('dimmed text, links and errors are readable on white and light gray', () => {
    const names = ['--mantine-color-dimmed', '--mantine-color-anchor', '--mantine-color-error']
    expect(
      failing([
        ...names.flatMap((name): [string, string, string][] => [
          [`${name} on white`, light[name], WHITE],
          [`${name} on gray 1`, light[name], GRAY_1],
        ]),
        // Dimmed text inside a light alert (blue 1) too.
        ['dimmed on blue 1', light['--mantine-color-dimmed'], merged.colors.blue[1]],
      ]),
    ).toEqual([])
  })

  it.each(Object.keys(DEFAULT_THEME.colors))('%s: filled, outline/text and light variants are readable', (color) => {
    const v = (suffix: string) => light[`--mantine-color-${color}-${suffix}`]
    expect(
      failing([
        ['white on filled', WHITE, v('filled')],
        ['text on gray 1', v('text'), GRAY_1],
        ['outline on white', v('outline'), WHITE],
        ['light variant on its tint', v('light-color'), merged.colors[color][1]],
      ]),
    ).toEqual([])
  })
})
