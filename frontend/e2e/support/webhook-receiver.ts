/**
 * A webhook receiver inside the test process: an HTTP server on 127.0.0.1 (port 0) that records
 * every POST (path, headers, body as sent) and answers 200 `received, thanks`.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
}

export interface WebhookReceiver {
  /** The URL to give Steward (`http://127.0.0.1:<port>/hooks/steward`). */
  url: string
  received: Received[]
  /** The POSTs whose JSON body has this `type`. */
  ofType: (type: string) => Received[]
  stop: () => Promise<void>
}

export async function startReceiver(): Promise<WebhookReceiver> {
  const received: Received[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.method === 'POST') received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('received, thanks')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  // A receiver kept for a whole worker must not keep the worker alive.
  server.unref()
  const { port } = server.address() as AddressInfo
  const typeOf = (r: Received) => {
    try {
      return (JSON.parse(r.body) as { type?: string }).type
    } catch {
      return undefined
    }
  }
  return {
    url: `http://127.0.0.1:${port}/hooks/steward`,
    received,
    ofType: (type) => received.filter((r) => typeOf(r) === type),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
