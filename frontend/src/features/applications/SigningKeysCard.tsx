import { Alert, Badge, Button, Group, Modal, Paper, Select, Stack, Table, Text, Title } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconAlertTriangle, IconKey } from '@tabler/icons-react'
import { useState } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { notifyError, notifySuccess } from '../../lib/forms'
import { useRotateSigningKey, useSigningKeys } from './api'
import { can, currentAlgorithm, formatDateTime, SIGNING_ALGORITHMS, type InstanceRef, type SigningAlgorithm } from './model'

const ALGORITHM_OPTIONS = SIGNING_ALGORITHMS.map((a) => ({ value: a.value, label: a.label }))

function describe(algorithm: SigningAlgorithm | null): string {
  return SIGNING_ALGORITHMS.find((a) => a.value === algorithm)?.description ?? ''
}

/**
 * The keys that sign the instance's access tokens, the algorithm they use, and their rotation
 * (admins and owners): a rotation makes a new key of the same algorithm, a change of algorithm a
 * new key of the chosen one. Either way tokens already issued stay valid until they expire.
 */
export function SigningKeysCard({ instance }: { instance: InstanceRef }) {
  const keys = useSigningKeys(instance.slug)
  const rotate = useRotateSigningKey(instance.slug)
  const [opened, { open, close }] = useDisclosure(false)
  // The algorithm being confirmed (the chooser keeps showing the current one until then).
  const [switchTo, setSwitchTo] = useState<SigningAlgorithm | null>(null)
  const mayRotate = can.rotateSigningKey(instance.role)
  const current = currentAlgorithm(keys.data?.items)

  const confirmRotate = () =>
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

  const cancelSwitch = () => {
    if (!rotate.isPending) setSwitchTo(null)
  }

  const confirmSwitch = () => {
    if (!switchTo) return
    rotate.mutate(switchTo, {
      onSuccess: (key) => {
        notifySuccess(`Tokens are now signed with ${key.algorithm} (key ${key.kid})`)
        setSwitchTo(null)
      },
      onError: (error) => {
        notifyError(error, 'Could not change the signing algorithm')
        setSwitchTo(null)
      },
    })
  }

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="signing-keys-heading">
      <Group justify="space-between" align="flex-start" mb="md" wrap="wrap">
        <div>
          <Title order={2} fz="h4" id="signing-keys-heading">
            Signing keys
          </Title>
          <Text c="dimmed" size="sm" maw={620}>
            The instance signs access tokens with its active key{current ? ` (${current})` : ''} and publishes the public
            keys in its JWKS.
            {mayRotate ? '' : ' Only owners and admins can rotate the key or change its algorithm.'}
          </Text>
        </div>
        {mayRotate && (
          <Button variant="default" leftSection={<IconKey size={16} aria-hidden />} onClick={open} disabled={!current}>
            Rotate signing key
          </Button>
        )}
      </Group>

      {mayRotate ? (
        <Select
          label="Signing algorithm"
          description={current ? describe(current) : 'Loading…'}
          data={ALGORITHM_OPTIONS}
          value={current}
          onChange={(v) => {
            if (v && v !== current) setSwitchTo(v as SigningAlgorithm)
          }}
          allowDeselect={false}
          disabled={!current || rotate.isPending}
          maw={620}
          mb="md"
          inputWrapperOrder={['label', 'input', 'description']}
          styles={{ wrapper: { maxWidth: 280 } }}
        />
      ) : (
        current && (
          <Text size="sm" mb="md" data-testid="signing-algorithm">
            Tokens are signed with <b>{current}</b>. <Text span c="dimmed" size="sm">{describe(current)}</Text>
          </Text>
        )
      )}

      {keys.isError ? (
        <ErrorAlert error={keys.error} title="Could not load the signing keys" onRetry={() => keys.refetch()} />
      ) : (
        <Table.ScrollContainer minWidth={620}>
          <Table verticalSpacing="xs" aria-label="Signing keys">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Key id</Table.Th>
                <Table.Th>Algorithm</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Retired</Table.Th>
                <Table.Th>Published until</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.isPending && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text c="dimmed" size="sm">
                      Loading signing keys…
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {keys.data?.items.map((key) => (
                <Table.Tr key={key.kid} data-kid={key.kid}>
                  <Table.Td>
                    <Text ff="monospace" size="sm">
                      {key.kid}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text ff="monospace" size="sm">
                      {key.algorithm}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={key.status === 'active' ? 'teal' : 'gray'} style={{ minWidth: 'max-content' }}>
                      {key.status === 'active' ? 'Active' : 'Retired'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ whiteSpace: 'nowrap' }}>{formatDateTime(key.created_at, instance.timeZone)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ whiteSpace: 'nowrap' }}>{formatDateTime(key.retired_at, instance.timeZone)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                      {key.status === 'active' ? '—' : formatDateTime(key.expires_at, instance.timeZone)}
                    </Text>
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
            New access tokens will be signed with a new {current} key. Tokens signed by the current key stay valid until
            they expire: the old key stays published in the JWKS until then, so nobody is signed out.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close} disabled={rotate.isPending}>
              Cancel
            </Button>
            <Button onClick={confirmRotate} loading={rotate.isPending}>
              Rotate key
            </Button>
          </Group>
        </Stack>
      </Modal>

      <Modal opened={switchTo !== null} onClose={cancelSwitch} title="Change the signing algorithm" centered>
        {switchTo && (
          <Stack>
            <Text size="sm">
              From now on, a new <b>{switchTo}</b> key signs the instance’s access tokens (instead of {current}). Tokens
              already issued stay valid until they expire: the current key stays published in the JWKS until then, so
              nobody is signed out.
            </Text>
            <Text size="sm">{describe(switchTo)}</Text>
            {switchTo === 'EdDSA' && (
              <Alert color="orange" icon={<IconAlertTriangle size={18} aria-hidden />} p="sm">
                <Text size="sm">
                  APIs that verify tokens with Node’s <code>jsonwebtoken</code> or with .NET will refuse EdDSA tokens.
                  Check your verifiers first.
                </Text>
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={cancelSwitch} disabled={rotate.isPending}>
                Cancel
              </Button>
              <Button onClick={confirmSwitch} loading={rotate.isPending}>
                Switch to {switchTo}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Paper>
  )
}
