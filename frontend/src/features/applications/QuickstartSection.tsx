import { Anchor, Code, Group, Paper, Stack, Tabs, Text, Title } from '@mantine/core'
import { IconExternalLink } from '@tabler/icons-react'
import { CodeSnippet } from '../../components/CodeSnippet'
import { CopyIconButton } from '../../components/CopyIconButton'
import { ErrorAlert } from '../../components/ErrorAlert'
import { useQuickstart } from './api'

export function QuickstartSection({ slug, id }: { slug: string; id: string }) {
  const quickstart = useQuickstart(slug, id)
  const q = quickstart.data
  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="quickstart-heading">
      <Title order={2} fz="h4" id="quickstart-heading">
        Quickstart
      </Title>
      <Text c="dimmed" size="sm" mb="md">
        Ready-to-paste configuration and a first call. The secret is a placeholder: use the one you copied.
      </Text>
      {quickstart.isError && (
        <ErrorAlert error={quickstart.error} title="Could not load the quickstart" onRetry={() => quickstart.refetch()} />
      )}
      {quickstart.isPending && (
        <Text c="dimmed" size="sm" role="status">
          Loading the quickstart…
        </Text>
      )}
      {q && (
        <Stack>
          <Tabs defaultValue="env" keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="env">.env</Tabs.Tab>
              <Tabs.Tab value="curl">curl</Tabs.Tab>
              <Tabs.Tab value="javascript">JavaScript</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="env" pt="sm">
              <CodeSnippet code={q.env} label=".env snippet" />
            </Tabs.Panel>
            <Tabs.Panel value="curl" pt="sm">
              <CodeSnippet code={q.curl} label="curl snippet" />
            </Tabs.Panel>
            <Tabs.Panel value="javascript" pt="sm">
              <CodeSnippet code={q.javascript} label="JavaScript snippet" />
            </Tabs.Panel>
          </Tabs>
          <UrlRow label="API base URL" url={q.api_base_url} />
          <Group gap="lg">
            <Anchor href={q.openapi_url} target="_blank" rel="noreferrer" size="sm">
              <Group gap={4} component="span">
                OpenAPI document <IconExternalLink size={14} aria-hidden />
              </Group>
            </Anchor>
            <Anchor href={q.docs_url} target="_blank" rel="noreferrer" size="sm">
              <Group gap={4} component="span">
                API reference <IconExternalLink size={14} aria-hidden />
              </Group>
            </Anchor>
            <Anchor href={q.jwks_url} target="_blank" rel="noreferrer" size="sm">
              <Group gap={4} component="span">
                JWKS (token verification keys) <IconExternalLink size={14} aria-hidden />
              </Group>
            </Anchor>
          </Group>

          <Stack gap="xs" component="section" aria-labelledby="verify-tokens-heading" mt="sm">
            <Title order={3} fz="h5" id="verify-tokens-heading">
              Verify tokens
            </Title>
            <Text c="dimmed" size="sm" maw={720}>
              Your API can check the instance’s access tokens on its own, with the public keys of the JWKS (fetched once
              and cached, refreshed when a key rotates): no call to Steward per request. Discovery lists every endpoint
              and the signing algorithm.
            </Text>
            <UrlRow label="Discovery URL" url={q.discovery_url} testId="discovery-url" />
            <Tabs defaultValue="node" keepMounted={false}>
              <Tabs.List aria-label="Verify tokens in">
                <Tabs.Tab value="node">Node (jose)</Tabs.Tab>
                <Tabs.Tab value="python">Python (PyJWT)</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="node" pt="sm">
                <CodeSnippet code={q.verify_node} label="Node verification snippet" />
              </Tabs.Panel>
              <Tabs.Panel value="python" pt="sm">
                <CodeSnippet code={q.verify_python} label="Python verification snippet" />
              </Tabs.Panel>
            </Tabs>
          </Stack>
        </Stack>
      )}
    </Paper>
  )
}

/** A URL to copy: its name, the URL, a copy button. */
function UrlRow({ label, url, testId }: { label: string; url: string; testId?: string }) {
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="sm" fw={500} style={{ whiteSpace: 'nowrap' }}>
        {label}
      </Text>
      <Code style={{ overflowWrap: 'anywhere' }} data-testid={testId}>
        {url}
      </Code>
      <CopyIconButton value={url} label={`Copy ${label}`} size="sm" />
    </Group>
  )
}
