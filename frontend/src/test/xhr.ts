import { vi } from 'vitest'

export interface XhrRequest {
  method: string
  url: string
  headers: Record<string, string>
  body: unknown
}

export interface XhrReply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

/**
 * Replaces XMLHttpRequest (used for uploads with progress) with a fake that records each request,
 * reports the upload in two progress events, and answers with `respond`'s reply.
 */
export function stubXhr(respond: (request: XhrRequest) => XhrReply | Promise<XhrReply>) {
  const requests: XhrRequest[] = []

  class FakeXhr {
    upload: { onprogress: ((event: ProgressEvent) => void) | null } = { onprogress: null }
    onload: (() => void) | null = null
    onerror: (() => void) | null = null
    onabort: (() => void) | null = null
    status = 0
    statusText = ''
    responseText = ''
    private request: XhrRequest = { method: 'GET', url: '', headers: {}, body: null }
    private replyHeaders: Record<string, string> = {}

    open(method: string, url: string) {
      this.request = { method, url, headers: {}, body: null }
    }
    setRequestHeader(name: string, value: string) {
      this.request.headers[name.toLowerCase()] = value
    }
    getResponseHeader(name: string): string | null {
      return this.replyHeaders[name.toLowerCase()] ?? null
    }
    abort() {
      this.onabort?.()
    }
    send(body: unknown) {
      this.request.body = body
      requests.push(this.request)
      void (async () => {
        const size = body instanceof Blob ? body.size : 100
        this.upload.onprogress?.({ lengthComputable: true, loaded: size / 2, total: size } as ProgressEvent)
        const reply = await respond(this.request)
        this.upload.onprogress?.({ lengthComputable: true, loaded: size, total: size } as ProgressEvent)
        this.status = reply.status
        this.responseText = reply.body === undefined ? '' : JSON.stringify(reply.body)
        this.replyHeaders = Object.fromEntries(Object.entries(reply.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]))
        this.onload?.()
      })()
    }
  }

  vi.stubGlobal('XMLHttpRequest', FakeXhr)
  return requests
}
