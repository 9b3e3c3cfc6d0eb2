import { AreaChart } from '@mantine/charts'
import { Paper, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core'
import { useState } from 'react'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Panel } from '../../components/Panel'
import { StatCard } from '../../components/StatCard'
import { TimeWindowPicker } from '../../components/TimeWindowPicker'
import { formatDateTime } from '../../lib/datetime'
import { usePageTitle } from '../../lib/pageTitle'
import { seriesQuery, windowErrors, windowFieldErrors, type TimeWindow } from '../../lib/timeWindow'
import { useBillingOverview, useUsage } from './api'
import { BillTable } from './BillTable'
import { InvoicesTable } from './InvoicesTable'
import { PlanCard, UsageAlerts } from './PlanCard'
import { PlanCatalogue } from './PlanCatalogue'
import { formatCount, usageRows, type InstanceRef, type PlanChange } from './model'

/** The billing period is a calendar month: the usage starts there. */
const INITIAL_WINDOW: TimeWindow = { frame: 'this_month', from: '', to: '', granularity: null }

function UsageSection({ instance }: { instance: InstanceRef }) {
  const [timeWindow, setTimeWindow] = useState<TimeWindow>(INITIAL_WINDOW)
  const valid = Object.keys(windowErrors(timeWindow)).length === 0
  const usage = useUsage(instance.slug, seriesQuery(timeWindow), valid)
  const report = usage.data
  return (
    <Panel title="Usage" description="Billable API calls and new users through time.">
      <TimeWindowPicker
        value={timeWindow}
        onChange={setTimeWindow}
        timeZone={instance.timeZone}
        withGranularity
        errors={windowFieldErrors(usage.error)}
      />
      {!valid ? (
        <Text c="dimmed" size="sm">
          Choose the first and the last day of the frame.
        </Text>
      ) : usage.isError ? (
        <ErrorAlert error={usage.error} title="Could not load the usage" onRetry={() => usage.refetch()} />
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
            <StatCard label="API calls" pending={usage.isPending}>
              {formatCount(report?.total_calls ?? 0)}
            </StatCard>
            <StatCard label="Registrations" pending={usage.isPending}>
              {formatCount(report?.total_registrations ?? 0)}
            </StatCard>
          </SimpleGrid>
          {report ? (
            <AreaChart
              h={260}
              data={usageRows(report)}
              dataKey="label"
              series={[
                { name: 'calls', label: 'API calls', color: 'blue.7' },
                { name: 'registrations', label: 'Registrations', color: 'grape.7', yAxisId: 'right' },
              ]}
              withRightYAxis
              yAxisLabel="API calls"
              rightYAxisLabel="Registrations"
              curveType="monotone"
              withDots={false}
              withLegend
              valueFormatter={formatCount}
              aria-label="API calls and registrations through time"
            />
          ) : (
            <Skeleton h={260} />
          )}
        </>
      )}
    </Panel>
  )
}

function PlanChanges({ changes, timeZone }: { changes: PlanChange[]; timeZone: string }) {
  return (
    <Panel title="Plan changes">
      {changes.length === 0 ? (
        <Text size="sm" c="dimmed">
          The plan has not changed since the instance was created.
        </Text>
      ) : (
        <Table verticalSpacing={6} fz="sm" aria-label="Plan changes">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Plan</Table.Th>
              <Table.Th>Effective</Table.Th>
              <Table.Th>Changed by</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {changes.map((c) => (
              <Table.Tr key={`${c.effective_at}-${c.plan_key}`}>
                <Table.Td>{c.plan_name}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(c.effective_at, timeZone)}</Table.Td>
                <Table.Td>{c.changed_by ?? '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Panel>
  )
}

/** Usage through time, the plan and its quotas, the bill of the period, the plans, and past invoices. */
export function UsagePage({ instance }: { instance: InstanceRef }) {
  usePageTitle('Usage & billing', instance.name ?? instance.slug)
  const overview = useBillingOverview(instance.slug)
  const billing = overview.data
  return (
    <Stack gap="lg" maw={1200}>
      <div>
        <Title order={1} fz="h2">
          Usage & billing
        </Title>
        <Text c="dimmed">API calls and registrations through time, the plan and its quotas, this period’s bill and past invoices.</Text>
      </div>

      <UsageSection instance={instance} />

      {overview.isError ? (
        <ErrorAlert error={overview.error} title="Could not load the billing" onRetry={() => overview.refetch()} />
      ) : !billing ? (
        <Paper withBorder radius="md" p="md">
          <Skeleton h={200} />
        </Paper>
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <PlanCard overview={billing} timeZone={instance.timeZone} />
            <UsageAlerts alerts={billing.alerts} timeZone={instance.timeZone} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            <BillTable title="Bill to date" description="This period so far." bill={billing.to_date} />
            <BillTable title="Projected bill" description="The whole period, projected from the usage so far." bill={billing.projected} />
          </SimpleGrid>
        </>
      )}

      <PlanCatalogue instance={instance} currentKey={billing?.plan.key} />
      {billing && <PlanChanges changes={billing.plan_changes} timeZone={instance.timeZone} />}
      <InvoicesTable slug={instance.slug} timeZone={instance.timeZone} />
    </Stack>
  )
}
