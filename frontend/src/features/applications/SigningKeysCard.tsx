import { Badge, Button, Group, Modal, Paper, Stack, Table, Text, Title } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconKey } from '@tabler/icons-react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { notifyError, notifySuccess } from '../../lib/forms'
import { useRotateSigningKey, useSigningKeys } from './api'
import { can, formatDateTime, type InstanceRef } from './model'

/** The keys that sign the instance's access tokens, and their rotation (admins and owners). */
export function SigningKeysCard({ instance }: { instance: InstanceRef }) {
  const keys = useSigningKeys(instance.slug)
  const rotate = useRotateSigningKey(instance.slug)
  const [opened, { open, close }] = useDisclosure(false)
  const mayRotate = can.rotateSigningKey(instance.role)

  const confirm = () =>
    rotate.mutate(undefined, {
      onSuccess: (key) => {
        notifySuccess(`New signing key ${key.kid} is active`)
        close()
      },
      onError: (error) => {
        notifyError(error, 'Could not rotate the signing key')
        close()
      },
    })

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="signing-keys-heading">
      <Group justify="space-between" align="flex-start" mb="md" wrap="wrap">
        <div>
          <Title order={2} fz="h4" id="signing-keys-heading">
            Signing keys
          </Title>
          <Text c="dimmed" size="sm" maw={620}>
            The instance signs access tokens with its active key (EdDSA) and publishes the public keys in its JWKS.
            {mayRotate ? '' : ' Only owners and admins can rotate the key.'}
          </Text>
        </div>
        {mayRotate && (
          <Button variant="default" leftSection={<IconKey size={16} aria-hidden />} onClick={open}>
            Rotate signing key
          </Button>
        )}
      </Group>
      {keys.isError ? (
        <ErrorAlert error={keys.error} title="Could not load the signing keys" onRetry={() => keys.refetch()} />
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Key id</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Retired</Table.Th>
                <Table.Th>Published until</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text c="dimmed" size="sm">
                      Loading signing keys…
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {keys.data?.items.map((key) => (
                <Table.Tr key={key.kid}>
                  <Table.Td>
                    <Text ff="monospace" size="sm">
                      {key.kid}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {key.algorithm}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={key.status === 'active' ? 'teal' : 'gray'}>
                      {key.status === 'active' ? 'Active' : 'Retired'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(key.created_at, instance.timeZone)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(key.retired_at, instance.timeZone)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{key.status === 'active' ? '—' : formatDateTime(key.expires_at, instance.timeZone)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal opened={opened} onClose={close} title="Rotate the signing key" centered>
        <Stack>
          <Text size="sm">
            New access tokens will be signed with a new key. Tokens signed by the current key stay valid until they
            expire: the old key stays published in the JWKS until then, so nobody is signed out.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={rotate.isPending}>
              Cancel
            </Button>
            <Button onClick={confirm} loading={rotate.isPending}>
              Rotate key
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  )
}
