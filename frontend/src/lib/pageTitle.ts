import { useEffect } from 'react'

const SUFFIX = 'Steward'

/** The browser tab's title for a page: "Security · Profile · Steward". Restored when the page goes. */
export function usePageTitle(...parts: (string | null | undefined)[]): void {
  const title = [...parts.filter((p): p is string => Boolean(p)), SUFFIX].join(' · ')
  useEffect(() => {
    const previous = document.title
    document.title = title
    return () => {
      document.title = previous
    }
  }, [title])
}
