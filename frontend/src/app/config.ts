import { createTheme, darken, Drawer, luminance, Modal, Notification, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core'
import { QueryClient } from '@tanstack/react-query'
import { ApiError } from '../lib/problem'

export const theme = createTheme({
  primaryColor: 'blue',
  // Filled buttons and badges in shade 8: white on blue 8 is 5:1, where Mantine's default shade
  // 6 (3.6:1) fails WCAG AA's 4.5:1 for text. (cssVariablesResolver below does the same for every
  // other colour.)
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  components: {
    // Mantine's close button (an ×) has no name of its own: screen readers would say "button".
    // ("Close dialog", not "Close": many dialogs end with a "Close" button of their own.)
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close dialog' } } }),
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close dialog' } } }),
    // The same for the × of a notification ("Management client … created").
    Notification: Notification.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss notification' } } }),
  },
})

/** WCAG AA's contrast for normal-size text. */
const AA = 4.5
const WHITE = '#ffffff'
/** The darkest light background the console puts text on outside a coloured tint (gray 1). */
const LIGHT_BACKGROUND = '#f1f3f5'

/** The WCAG contrast ratio of two colours. */
function contrast(a: string, b: string): number {
  const [la, lb] = [luminance(a), luminance(b)]
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)
}

/** `color`, darkened in small steps until it has `ratio` against `background`. */
function readableOn(color: string, background: string, ratio = AA): string {
  let result = color
  for (let amount = 0.04; contrast(result, background) < ratio && amount < 1; amount += 0.04) result = darken(color, amount)
  return result
}

/** Per palette: the shades the variants show text in, made readable where Mantine's are not. */
function readableVariants(name: string, shades: MantineColorsTuple): Record<string, string> {
  const filled = readableOn(shades[8], WHITE)
  const text = readableOn(shades[8], LIGHT_BACKGROUND)
  return {
    // White text on filled buttons and badges.
    [`--mantine-color-${name}-filled`]: filled,
    [`--mantine-color-${name}-filled-hover`]: darken(filled, 0.12),
    // `c="teal"`, outline buttons.
    [`--mantine-color-${name}-text`]: text,
    [`--mantine-color-${name}-outline`]: text,
    // Light variants (alert titles, badges, the active navigation link) on their shade-1 tint.
    [`--mantine-color-${name}-light-color`]: readableOn(shades[9], shades[1]),
  }
}

/**
 * Text colours that pass WCAG AA (4.5:1) on the light backgrounds the console uses, where
 * Mantine's defaults do not: dimmed text (gray 6, 3.3:1 on white), links (blue 6, 3.6:1), error
 * messages (red 6, 3.3:1), and per colour the filled, outline and light variants (teal 8 is 3.9:1
 * on white, yellow 9 2.7:1 on its light tint...).
 */
export const cssVariablesResolver: CSSVariablesResolver = (resolved) => ({
  variables: {},
  light: {
    // Between gray 6 and 7: 6.1:1 on white, 4.9:1 on blue 1.
    '--mantine-color-dimmed': '#5c636a',
    '--mantine-color-anchor': 'var(--mantine-color-blue-9)',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
    ...Object.assign(
      {},
      ...Object.entries(resolved.colors)
        .filter(([, shades]) => Array.isArray(shades) && shades.length >= 10)
        .map(([name, shades]) => readableVariants(name, shades)),
    ),
  },
  dark: {},
})

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Client errors (404, 403...) will not heal by retrying.
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  })
}
