import { Table } from '@mantine/core'
import { Panel } from '../../components/Panel'
import { formatCount, formatMoney, type Bill } from './model'

/** A bill as lines (description, quantity, unit, amount) and its total. */
export function BillTable({ title, description, bill }: { title: string; description?: string; bill: Bill }) {
  return (
    <Panel title={title} description={description}>
      <Table verticalSpacing={6} fz="sm" aria-label={title}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Description</Table.Th>
            <Table.Th ta="right">Quantity</Table.Th>
            <Table.Th>Unit</Table.Th>
            <Table.Th ta="right">Amount</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {bill.lines.map((line, i) => (
            <Table.Tr key={`${i}-${line.description}`}>
              <Table.Td>{line.description}</Table.Td>
              <Table.Td ta="right">{formatCount(line.quantity)}</Table.Td>
              <Table.Td>{line.unit}</Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {formatMoney(line.amount_minor, bill.currency)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
        <Table.Tfoot>
          <Table.Tr>
            <Table.Th colSpan={3} scope="row">
              Total
            </Table.Th>
            <Table.Td ta="right" fw={700} style={{ whiteSpace: 'nowrap' }}>
              {formatMoney(bill.total_minor, bill.currency)}
            </Table.Td>
          </Table.Tr>
        </Table.Tfoot>
      </Table>
    </Panel>
  )
}
