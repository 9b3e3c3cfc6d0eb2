export const SLUG_PATTERN = /^[a-z][a-z0-9-]{2,39}$/

/** A slug suggestion from a display name: "My Prod API" → "my-prod-api". */
export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 40)
    .replace(/-+$/, '')
  return s
}

export function validateSlug(slug: string): string | null {
  if (slug.length < 3 || slug.length > 40) return 'Between 3 and 40 characters'
  if (!SLUG_PATTERN.test(slug)) return 'Lowercase letters, digits and hyphens, starting with a letter'
  return null
}
