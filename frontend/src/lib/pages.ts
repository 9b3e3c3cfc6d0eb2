/** One page of a cursor-paged list of the API (`{items, next_cursor}`). */
export interface Page<T> {
  items: T[]
  next_cursor?: string | null
}

/** The page size the console asks for when it reads a whole short list. */
export const PAGE_SIZE = 100

/**
 * Every item of a short list (instances, applications, webhooks...): walks the cursor, at most
 * `maxPages` pages, so a runaway list cannot keep the console fetching.
 */
export async function allPages<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, maxPages = 20): Promise<T[]> {
  const items: T[] = []
  let cursor: string | undefined
  for (let page = 0; page < maxPages; page++) {
    const res = await fetchPage(cursor)
    items.push(...res.items)
    if (!res.next_cursor) break
    cursor = res.next_cursor
  }
  return items
}
