import { createTheme, type CSSVariablesResolver } from '@mantine/core'
import { QueryClient } from '@tanstack/react-query'
import { ApiError } from '../lib/problem'

export const theme = createTheme({
  primaryColor: 'blue',
  // Filled buttons, badges and `c="red"`-style text in shade 8: white on blue 8 is 5:1, where
  // Mantine's default shade 6 (3.6:1) fails WCAG AA's 4.5:1 for text.
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
})

/**
 * Text colours that pass WCAG AA (4.5:1) on every light background the console uses (white, gray
 * 0–1, and the light variants' tints such as an Alert's blue 1), where Mantine's defaults do not:
 * dimmed text (gray 6, 3.3:1 on white), links (blue 6, 3.6:1) and error messages (red 6, 3.3:1).
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    // Between gray 6 and 7: 6.1:1 on white, 4.9:1 on blue 1.
    '--mantine-color-dimmed': '#5c636a',
    '--mantine-color-anchor': 'var(--mantine-color-blue-9)',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
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
