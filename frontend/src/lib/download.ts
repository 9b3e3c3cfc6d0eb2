import { authFetch } from '../api/client'
import { problemFromResponse } from './problem'

/** Saves `blob` as a file named `filename` (a temporary link the browser follows). */
export function saveBlob(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = href
  link.download = filename
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(href), 0)
}

/**
 * Downloads a file of the console API with the session's token (a plain link would carry none)
 * and saves it as `filename`. Throws an ApiError when the server refuses.
 */
export async function downloadFile(path: string, accept: string, filename: string): Promise<void> {
  const url = new URL(path, globalThis.location?.origin ?? 'http://localhost')
  const response = await authFetch(new Request(url, { headers: { Accept: accept } }))
  if (!response.ok) throw await problemFromResponse(response)
  saveBlob(await response.blob(), filename)
}
