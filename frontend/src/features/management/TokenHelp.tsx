import { Code, Group, Stack, Text } from '@mantine/core'
import { CodeSnippet } from '../../components/CodeSnippet'
import { CopyIconButton } from '../../components/CopyIconButton'
import { exampleCall, tokenCurl, type ManagementScope } from './model'

/**
 * How a machine gets its token (client credentials at the token endpoint) and uses it. With a
 * client id and secret the command is ready to run; without, they are placeholders.
 */
export function TokenHelp({
  tokenEndpoint,
  slug,
  clientId,
  secret,
  scopes,
}: {
  tokenEndpoint: string
  slug: string
  clientId?: string
  secret?: string
  /** The client's scopes, for an example call it may make (none: no example). */
  scopes?: ManagementScope[]
}) {
  const call = scopes ? exampleCall(tokenEndpoint, slug, scopes) : null
  return (
    <Stack gap="sm">
      <Group gap={6} wrap="nowrap">
        <Text size="sm" fw={500} style={{ whiteSpace: 'nowrap' }}>
          Token endpoint
        </Text>
        <Code style={{ overflowWrap: 'anywhere' }} data-testid="token-endpoint">
          {tokenEndpoint}
        </Code>
        <CopyIconButton value={tokenEndpoint} label="Copy token endpoint" size="sm" />
      </Group>
      <div>
        <Text size="sm" mb={4}>
          Get a token (client credentials; add <Code>-d scope=…</Code> to ask for fewer scopes):
        </Text>
        <CodeSnippet code={tokenCurl(tokenEndpoint, clientId, secret)} label="token request" wrap />
      </div>
      {call && (
        <div>
          <Text size="sm" mb={4}>
            Then call this instance's API with it (the token lasts an hour at most):
          </Text>
          <CodeSnippet code={call} label="example call" wrap />
        </div>
      )}
    </Stack>
  )
}
