const KEY = 'steward.last_instance'

export function rememberInstance(slug: string): void {
  try {
    localStorage.setItem(KEY, slug)
  } catch {
    /* storage unavailable: nothing to remember */
  }
}

export function lastInstance(): string | null {
  try {
    return localStorage.getItem(KEY)
  } catch {
    return null
  }
}
