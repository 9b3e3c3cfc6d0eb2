import { useEffect } from 'react'

const SUFFIX = 'Steward'

/** Sets `document.title` while the calling page is shown; the previous title returns when it goes. */
function useDocumentTitle(title: string): void {
  useEffect(() => {
    const previous = document.title
    document.title = title
    return () => {
      document.title = previous
    }
  }, [title])
}

function joinTitle(parts: (string | null | undefined)[], suffix: string): string {
  return [...parts.filter((p): p is string => Boolean(p?.trim())), suffix].filter(Boolean).join(' · ')
}

/** The browser tab's title for a console page: "Security · Profile · Steward". Restored when the page goes. */
export function usePageTitle(...parts: (string | null | undefined)[]): void {
  useDocumentTitle(joinTitle(parts, SUFFIX))
}

/**
 * The title of a page an instance's end users see (behind the links in their emails): branded
 * with the instance's name instead of the console's, "Choose a new password · Acme".
 */
export function useBrandedPageTitle(brand: string | null | undefined, ...parts: (string | null | undefined)[]): void {
  useDocumentTitle(joinTitle(parts, brand?.trim() ?? ''))
}
