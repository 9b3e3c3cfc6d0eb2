/**
 * A real SMTP server for end-to-end tests, in the test's own process (node:net): it speaks enough
 * of RFC 5321 for a real client (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every message in
 * memory and decodes what a test reads (the subject and the text/plain part: quoted-printable,
 * base64, RFC 2047 words). The server under test delivers to it through STEWARD_SMTP_URL, so the
 * links a test follows are the ones a user's inbox would get.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'

export interface Mail {
  from: string
  to: string[]
  subject: string
  /** The text/plain part, decoded (the whole body when there is no such part). */
  text: string
  raw: string
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = []
  const clean = s.replace(/=\r?\n/g, '')
  for (let i = 0; i < clean.length; i++) {
    const hex = clean.slice(i + 1, i + 3)
    if (clean[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16))
      i += 2
    } else {
      bytes.push(...Buffer.from(clean[i], 'utf8'))
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

function decodeBody(body: string, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case 'quoted-printable':
      return decodeQuotedPrintable(body)
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
    default:
      return body
  }
}

/** RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) in a header value. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, _charset: string, kind: string, text: string) =>
      kind.toLowerCase() === 'b' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    )
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>()
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const at = line.indexOf(':')
    if (at > 0) headers.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim())
  }
  return headers
}

function splitEntity(entity: string): { headers: Map<string, string>; body: string } {
  const at = entity.search(/\r?\n\r?\n/)
  if (at < 0) return { headers: parseHeaders(entity), body: '' }
  const gap = entity.slice(at).match(/^\r?\n\r?\n/)?.[0].length ?? 2
  return { headers: parseHeaders(entity.slice(0, at)), body: entity.slice(at + gap) }
}

/** The decoded text/plain parts of a MIME entity (recursing into multiparts). */
function plainParts(entity: string): string[] {
  const { headers, body } = splitEntity(entity)
  const type = headers.get('content-type') ?? 'text/plain'
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1]
  if (/^multipart\//i.test(type) && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((part) => !part.startsWith('--'))
      .flatMap((part) => plainParts(part.replace(/^\r?\n/, '')))
  }
  if (/^text\/plain/i.test(type)) return [decodeBody(body, headers.get('content-transfer-encoding') ?? '7bit')]
  return []
}

export function parseMail(raw: string, from: string, to: string[]): Mail {
  const { headers, body } = splitEntity(raw)
  const texts = plainParts(raw)
  return {
    from,
    to,
    subject: decodeWords(headers.get('subject') ?? ''),
    text: texts.length > 0 ? texts.join('\n') : decodeBody(body, headers.get('content-transfer-encoding') ?? '7bit'),
    raw,
  }
}

function address(arg: string): string {
  return (/<([^>]*)>/.exec(arg)?.[1] ?? arg.split(/\s/)[0] ?? '').trim().toLowerCase()
}

export class SmtpSink {
  readonly messages: Mail[] = []
  private server: Server
  private sockets = new Set<Socket>()

  private constructor(server: Server) {
    this.server = server
  }

  static async start(): Promise<SmtpSink> {
    const server = createServer()
    const sink = new SmtpSink(server)
    server.on('connection', (socket) => sink.serve(socket))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    return sink
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`
  }

  private serve(socket: Socket) {
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    const reply = (line: string) => socket.write(`${line}\r\n`)
    let buffer = ''
    let from = ''
    let to: string[] = []
    let data: string[] | null = null
    reply('220 localhost ESMTP steward-e2e-sink')

    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8')
      let at: number
      while ((at = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, at)
        buffer = buffer.slice(at + 2)
        if (data) {
          if (line === '.') {
            this.messages.push(parseMail(data.join('\r\n'), from, to))
            data = null
            from = ''
            to = []
            reply('250 2.0.0 OK: queued')
          } else {
            // Dot-stuffing (RFC 5321 4.5.2).
            data.push(line.startsWith('.') ? line.slice(1) : line)
          }
          continue
        }
        const [verb = '', ...rest] = line.split(' ')
        const arg = rest.join(' ')
        switch (verb.toUpperCase()) {
          case 'EHLO':
            socket.write('250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760\r\n')
            break
          case 'HELO':
            reply('250 localhost')
            break
          case 'MAIL':
            from = address(arg.replace(/^FROM:/i, ''))
            to = []
            reply('250 2.1.0 OK')
            break
          case 'RCPT':
            to.push(address(arg.replace(/^TO:/i, '')))
            reply('250 2.1.5 OK')
            break
          case 'DATA':
            if (to.length === 0) {
              reply('503 5.5.1 RCPT first')
              break
            }
            data = []
            reply('354 End data with <CR><LF>.<CR><LF>')
            break
          case 'RSET':
            from = ''
            to = []
            reply('250 2.0.0 OK')
            break
          case 'NOOP':
            reply('250 2.0.0 OK')
            break
          case 'QUIT':
            reply('221 2.0.0 Bye')
            socket.end()
            break
          default:
            reply('502 5.5.2 Command not implemented')
        }
      }
    })
  }

  /** The first message to `to` whose subject matches and that `skip` did not already see; waits for it. */
  async waitFor(to: string, subject: RegExp, { timeout = 20_000, after = 0 }: { timeout?: number; after?: number } = {}): Promise<Mail> {
    const deadline = Date.now() + timeout
    while (Date.now() < deadline) {
      const found = this.messages.slice(after).find((m) => m.to.includes(to.toLowerCase()) && subject.test(m.subject))
      if (found) return found
      await new Promise((r) => setTimeout(r, 100))
    }
    const seen = this.messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join('\n  ')
    throw new Error(`No email to ${to} with a subject like ${subject} within ${timeout} ms. Received:\n  ${seen || '(nothing)'}`)
  }

  async stop(): Promise<void> {
    this.sockets.forEach((s) => s.destroy())
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

/** The first link in `text` to `path` on the console (e.g. `/verify-email`), with its query. */
export function linkIn(text: string, path: string): string {
  const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  const link = new RegExp(`https?://[^\\s"<>]+${escaped}\\?token=[A-Za-z0-9_-]+`).exec(text)?.[0]
  if (!link) throw new Error(`No ${path} link in:\n${text}`)
  return link
}
