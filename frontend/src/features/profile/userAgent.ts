/** A short, human name for a User-Agent string: "Chrome 131 on macOS". The raw string stays available. */
export interface Device {
  summary: string
  mobile: boolean
}

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/\bOPR\/(\d+)/, 'Opera'],
  [/\bSamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/\bFirefox\/(\d+)/, 'Firefox'],
  [/\bFxiOS\/(\d+)/, 'Firefox'],
  [/\bHeadlessChrome\/(\d+)/, 'Headless Chrome'],
  [/\bCriOS\/(\d+)/, 'Chrome'],
  [/\bChrom(?:e|ium)\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+)(?:\.\d+)*.*\bSafari\//, 'Safari'],
  [/\bcurl\/(\d+)/, 'curl'],
  [/\bPostmanRuntime\/(\d+)/, 'Postman'],
  [/\bpython-requests\/(\d+)/, 'Python requests'],
  [/^node\b|\bundici\b|\bnode-fetch\b/, 'Node.js'],
]

const SYSTEMS: [RegExp, string][] = [
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
]

export function describeUserAgent(ua: string | null | undefined): Device {
  const raw = (ua ?? '').trim()
  if (!raw) return { summary: 'Unknown device', mobile: false }
  let browser: string | null = null
  for (const [pattern, name] of BROWSERS) {
    const match = pattern.exec(raw)
    if (match) {
      browser = match[1] ? `${name} ${match[1]}` : name
      break
    }
  }
  const system = SYSTEMS.find(([pattern]) => pattern.test(raw))?.[1] ?? null
  const mobile = /\bMobi|\biPhone\b|\bAndroid\b.*\bMobile\b/.test(raw)
  if (browser && system) return { summary: `${browser} on ${system}`, mobile }
  if (browser || system) return { summary: (browser ?? system) as string, mobile }
  // Something else (a script, a tool): its first product token.
  return { summary: raw.split(/[\s(]/)[0].slice(0, 40) || 'Unknown device', mobile }
}
