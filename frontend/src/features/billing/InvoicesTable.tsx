import { Button, Group, Skeleton, Table, Text } from '@mantine/core'
import { IconFileTypeCsv, IconFileTypePdf } from '@tabler/icons-react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Panel } from '../../components/Panel'
import { formatDateTime } from '../../lib/datetime'
import { notifyError } from '../../lib/forms'
import { useDownloadInvoice, useInvoices, type InvoiceFormat } from './api'
import { formatMoney, formatPeriod, type Invoice } from './model'

/** The instance's invoices, newest first, each downloadable as PDF or CSV. */
export function InvoicesTable({ slug, timeZone }: { slug: string; timeZone: string }) {
  const invoices = useInvoices(slug)
  const download = useDownloadInvoice(slug)
  const items = invoices.data?.pages.flatMap((p) => p.items) ?? []
  const save = (invoice: Invoice, format: InvoiceFormat) =>
    download.mutate({ invoice, format }, { onError: (error) => notifyError(error, `Could not download invoice ${invoice.number}`) })
  const saving = (invoice: Invoice, format: InvoiceFormat) =>
    download.isPending && download.variables?.invoice.id === invoice.id && download.variables.format === format

  return (
    <Panel title="Invoices" description="Issued when a period ends.">
      {invoices.isError ? (
        <ErrorAlert error={invoices.error} title="Could not load the invoices" onRetry={() => invoices.refetch()} />
      ) : invoices.isPending ? (
        <Skeleton h={80} />
      ) : items.length === 0 ? (
        <Text size="sm" c="dimmed">
          No invoices yet: the first is issued when this period ends.
        </Text>
      ) : (
        <>
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing={6} fz="sm" aria-label="Invoices">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Number</Table.Th>
                  <Table.Th>Period</Table.Th>
                  <Table.Th ta="right">Total</Table.Th>
                  <Table.Th>Issued</Table.Th>
                  <Table.Th>Download</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((invoice) => (
                  <Table.Tr key={invoice.id}>
                    <Table.Td ff="monospace">{invoice.number}</Table.Td>
                    <Table.Td>{formatPeriod(invoice.period_start, invoice.period_end, timeZone)}</Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {formatMoney(invoice.total_minor, invoice.currency)}
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(invoice.issued_at, timeZone)}</Table.Td>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <Button
                          size="compact-sm"
                          variant="default"
                          leftSection={<IconFileTypePdf size={14} aria-hidden />}
                          loading={saving(invoice, 'pdf')}
                          onClick={() => save(invoice, 'pdf')}
                          aria-label={`PDF of invoice ${invoice.number}`}
                        >
                          PDF
                        </Button>
                        <Button
                          size="compact-sm"
                          variant="default"
                          leftSection={<IconFileTypeCsv size={14} aria-hidden />}
                          loading={saving(invoice, 'csv')}
                          onClick={() => save(invoice, 'csv')}
                          aria-label={`CSV of invoice ${invoice.number}`}
                        >
                          CSV
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {invoices.hasNextPage && (
            <Group justify="center">
              <Button variant="default" loading={invoices.isFetchingNextPage} onClick={() => invoices.fetchNextPage()}>
                Older invoices
              </Button>
            </Group>
          )}
        </>
      )}
    </Panel>
  )
}
