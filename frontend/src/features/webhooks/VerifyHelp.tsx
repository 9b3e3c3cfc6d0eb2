import { Code, List, Text } from '@mantine/core'
import { CodeSnippet } from '../../components/CodeSnippet'
import { pathOf, verifySnippet } from './model'

/** What a webhook is: one sentence, for the empty list and the help card. */
export const WEBHOOKS_INTRO =
  'A webhook endpoint is a URL of your server that Steward calls when something happens in this instance — a user signs up, is blocked, an application changes — so your systems react at once instead of polling the API.'

/**
 * How a receiver checks that a delivery comes from Steward: the Standard Webhooks headers and
 * signature, and a short Node receiver with the `standardwebhooks` package.
 */
export function VerifyHelp({ url }: { url?: string }) {
  return (
    <>
      <Text size="sm" mb={4}>
        Each delivery is a JSON <Code>POST</Code> of <Code>{'{ type, timestamp, data }'}</Code>, signed per{' '}
        <Text span fw={600}>
          Standard Webhooks
        </Text>
        :
      </Text>
      <List size="sm" spacing={2} mb="xs" withPadding>
        <List.Item>
          <Code>webhook-id</Code>: the message id, the same on every retry and resend (drop duplicates);
        </List.Item>
        <List.Item>
          <Code>webhook-timestamp</Code>: when it was sent, in Unix seconds;
        </List.Item>
        <List.Item>
          <Code>webhook-signature</Code>: <Code>v1,</Code> and the base64 HMAC-SHA256 of <Code>id.timestamp.body</Code>, keyed by
          the endpoint’s <Code>whsec_…</Code> secret.
        </List.Item>
      </List>
      <Text size="sm" mb={6}>
        Check the signature before trusting the body — the <Code>standardwebhooks</Code> libraries (npm, PyPI, Go, Rust,
        Java…) do it in one call — and answer with a 2xx quickly: anything else is retried with backoff.
      </Text>
      <CodeSnippet code={verifySnippet(url ? pathOf(url) : undefined)} label="verification snippet" />
    </>
  )
}
