import { AreaChart, LineChart } from '@mantine/charts'
import { Button, Group, Paper, SimpleGrid, Skeleton, Stack, Switch, Table, Text, Title } from '@mantine/core'
import { IconApps, IconRefresh, IconRocket } from '@tabler/icons-react'
import { useIsFetching, useQueryClient, type UseQueryResult } from '@tanstack/react-query'
import { useId, useState, type ReactNode } from 'react'
import { Link } from 'react-router'
import { CodeSnippet } from '../../components/CodeSnippet'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Panel } from '../../components/Panel'
import { StatCard } from '../../components/StatCard'
import { TimeWindowPicker } from '../../components/TimeWindowPicker'
import { formatDateTime } from '../../lib/datetime'
import { usePageTitle } from '../../lib/pageTitle'
import { usePublicUrl } from '../../lib/publicUrl'
import { DEFAULT_WINDOW, seriesQuery, windowErrors, windowFieldErrors, windowQuery, type TimeWindow } from '../../lib/timeWindow'
import { dashboardKeys, useAnalyticsBreakdown, useAnalyticsSeries, useAnalyticsSummary } from './api'
import {
  AUTO_REFRESH_MS,
  chartRows,
  firstCallCurl,
  formatCount,
  formatMs,
  formatRate,
  isErrorStatus,
  type AnalyticsSeries,
  type AnalyticsSummary,
  type Breakdown,
  type BreakdownItem,
  type InstanceRef,
} from './model'

function Stats({ summary, pending }: { summary: AnalyticsSummary | undefined; pending: boolean }) {
  const s = summary
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="md">
      <StatCard label="API calls" pending={pending}>
        {formatCount(s?.calls ?? 0)}
      </StatCard>
      <StatCard label="Errors" pending={pending} hint={s ? `${formatCount(s.server_errors)} server errors (5xx)` : undefined}>
        {formatCount(s?.errors ?? 0)}
      </StatCard>
      <StatCard label="Error rate" pending={pending} hint="Responses with status 400 or more">
        {formatRate(s?.error_rate ?? 0)}
      </StatCard>
      <StatCard label="Latency p50" pending={pending} hint={s ? `p95 ${formatMs(s.latency.p95_ms)} · p99 ${formatMs(s.latency.p99_ms)}` : undefined}>
        {formatMs(s?.latency.p50_ms)}
      </StatCard>
      <StatCard label="Registrations" pending={pending} hint="New end users">
        {formatCount(s?.registrations ?? 0)}
      </StatCard>
      <StatCard label="Active users" pending={pending} hint="Distinct end users seen">
        {formatCount(s?.active_users ?? 0)}
      </StatCard>
    </SimpleGrid>
  )
}

function Charts({ series }: { series: UseQueryResult<AnalyticsSeries> }) {
  const rows = series.data ? chartRows(series.data.points) : []
  const body = (chart: ReactNode) =>
    series.isError ? (
      <ErrorAlert error={series.error} title="Could not draw the chart" onRetry={() => series.refetch()} />
    ) : series.isPending ? (
      <Skeleton h={240} />
    ) : (
      chart
    )
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
      <Panel title="Calls and errors" order={3}>
        {body(
          <AreaChart
            h={240}
            data={rows}
            dataKey="label"
            series={[
              { name: 'calls', label: 'Calls', color: 'blue.7' },
              { name: 'errors', label: 'Errors', color: 'red.7' },
            ]}
            curveType="monotone"
            withDots={false}
            withLegend
            valueFormatter={formatCount}
            aria-label="Calls and errors through time"
          />,
        )}
      </Panel>
      <Panel title="Latency" order={3} description="Milliseconds; a gap where there were no calls">
        {body(
          <LineChart
            h={240}
            data={rows}
            dataKey="label"
            series={[
              { name: 'p50', label: 'p50', color: 'teal.7' },
              { name: 'p95', label: 'p95', color: 'orange.7' },
              { name: 'p99', label: 'p99', color: 'red.7' },
            ]}
            curveType="monotone"
            withDots={false}
            withLegend
            connectNulls={false}
            valueFormatter={(v) => formatMs(v)}
            aria-label="Latency percentiles through time"
          />,
        )}
      </Panel>
    </SimpleGrid>
  )
}

type BreakdownQuery = UseQueryResult<Breakdown>

/** A breakdown of the window as a table: by route, by application, or the error statuses. */
function BreakdownPanel({
  title,
  nameHeader,
  query,
  select = (items) => items,
  empty,
  errorsOnly = false,
  monospace = false,
}: {
  title: string
  nameHeader: string
  query: BreakdownQuery
  select?: (items: BreakdownItem[]) => BreakdownItem[]
  empty: string
  /** The error statuses: their calls and share of all errors, no latency. */
  errorsOnly?: boolean
  /** Names in monospace (routes). */
  monospace?: boolean
}) {
  const items = query.data ? select(query.data.items) : []
  const errorTotal = items.reduce((sum, i) => sum + i.calls, 0)
  return (
    <Panel title={title} order={3}>
      {query.isError ? (
        <ErrorAlert error={query.error} title={`Could not load ${title.toLowerCase()}`} onRetry={() => query.refetch()} />
      ) : query.isPending ? (
        <Skeleton h={120} />
      ) : items.length === 0 ? (
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      ) : (
        <Table verticalSpacing={6} fz="sm" aria-label={title}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{nameHeader}</Table.Th>
              <Table.Th ta="right">{errorsOnly ? 'Responses' : 'Calls'}</Table.Th>
              {errorsOnly ? (
                <Table.Th ta="right">Share of errors</Table.Th>
              ) : (
                <>
                  <Table.Th ta="right">Errors</Table.Th>
                  <Table.Th ta="right">Error rate</Table.Th>
                  <Table.Th ta="right">p95</Table.Th>
                </>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <Table.Tr key={item.key}>
                <Table.Td style={{ wordBreak: 'break-word' }} ff={monospace ? 'monospace' : undefined}>
                  {item.label}
                </Table.Td>
                <Table.Td ta="right">{formatCount(item.calls)}</Table.Td>
                {errorsOnly ? (
                  <Table.Td ta="right">{formatRate(errorTotal ? item.calls / errorTotal : 0)}</Table.Td>
                ) : (
                  <>
                    <Table.Td ta="right">{formatCount(item.errors)}</Table.Td>
                    <Table.Td ta="right">{formatRate(item.error_rate)}</Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {formatMs(item.p95_ms)}
                    </Table.Td>
                  </>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Panel>
  )
}

/** What a new developer does first: one call that needs no setup, then an application. */
function FirstCall({ slug }: { slug: string }) {
  const publicUrl = usePublicUrl()
  const id = useId()
  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby={id}>
      <Stack gap="sm" align="flex-start">
        <Group gap="xs">
          <IconRocket size={22} color="var(--mantine-color-blue-7)" aria-hidden />
          <Title order={3} fz="h4" id={id}>
            Make your first API call
          </Title>
        </Group>
        <Text size="sm" maw={720}>
          This instance has not been called yet. Its public API answers at once: the branding endpoint needs no
          application and no key. Paste this in a terminal:
        </Text>
        <CodeSnippet code={firstCallCurl(publicUrl, slug)} label="first API call" wrap />
        <Text size="sm" c="dimmed" maw={720}>
          Every call to the public API is counted here within a few seconds. To register and sign in users, connect
          your front-end or back-end app: the Applications page creates it and gives you ready-to-paste snippets.
        </Text>
        <Button component={Link} to={`/i/${slug}/applications`} variant="light" leftSection={<IconApps size={16} aria-hidden />}>
          Create an application
        </Button>
      </Stack>
    </Paper>
  )
}

/**
 * The instance's activity over a time frame, in its time zone: calls, errors, latency,
 * registrations and active users; through time; by route, application and status.
 */
export function DashboardPage({ instance }: { instance: InstanceRef }) {
  usePageTitle('Dashboard', instance.name ?? instance.slug)
  const { slug } = instance
  const [timeWindow, setTimeWindow] = useState<TimeWindow>(DEFAULT_WINDOW)
  const [autoRefresh, setAutoRefresh] = useState(false)
  const queryClient = useQueryClient()
  const fetching = useIsFetching({ queryKey: dashboardKeys.all(slug) }) > 0

  const valid = Object.keys(windowErrors(timeWindow)).length === 0
  const options = { enabled: valid, refetchInterval: autoRefresh ? AUTO_REFRESH_MS : (false as const) }
  const params = windowQuery(timeWindow)
  const summary = useAnalyticsSummary(slug, params, options)
  const series = useAnalyticsSeries(slug, seriesQuery(timeWindow), options)
  const routes = useAnalyticsBreakdown(slug, 'route', params, options)
  const applications = useAnalyticsBreakdown(slug, 'application', params, options)
  // Every status, so that the error ones are all there however many successful ones come first.
  const statuses = useAnalyticsBreakdown(slug, 'status', params, { ...options, limit: 100 })

  // No call in the window: has the instance ever been called? (This year's calls stand in for "ever".)
  const emptyWindow = summary.data !== undefined && !summary.isPlaceholderData && summary.data.calls === 0
  const thisYear = useAnalyticsSummary(slug, { frame: 'this_year' }, { enabled: emptyWindow && timeWindow.frame !== 'this_year', refetchInterval: options.refetchInterval })
  const neverCalled = emptyWindow && (timeWindow.frame === 'this_year' || thisYear.data?.calls === 0)
  const askingEver = emptyWindow && timeWindow.frame !== 'this_year' && thisYear.isPending

  const fieldErrors = windowFieldErrors(summary.error, series.error, routes.error, applications.error, statuses.error)
  const refresh = () => queryClient.refetchQueries({ queryKey: dashboardKeys.all(slug), type: 'active' })
  const shown = summary.data?.window

  return (
    <Stack gap="lg" component="section" aria-labelledby="activity-heading">
      <div>
        <Title order={2} fz="h3" id="activity-heading">
          Activity
        </Title>
        <Text c="dimmed" size="sm">
          {shown
            ? `${formatDateTime(shown.from, instance.timeZone)} → ${formatDateTime(shown.to, instance.timeZone)}`
            : 'Calls to the public API, errors, latency, registrations and active users.'}
        </Text>
      </div>

      <Paper withBorder radius="md" p="md">
        <TimeWindowPicker value={timeWindow} onChange={setTimeWindow} timeZone={instance.timeZone} withGranularity errors={fieldErrors}>
          <Stack gap={6} ml="auto" mt={24} align="flex-end">
            <Button
              variant="default"
              leftSection={<IconRefresh size={16} aria-hidden />}
              onClick={refresh}
              loading={fetching}
              disabled={!valid}
            >
              Refresh
            </Button>
            <Switch label="Auto-refresh (30 s)" checked={autoRefresh} onChange={(e) => setAutoRefresh(e.currentTarget.checked)} />
          </Stack>
        </TimeWindowPicker>
      </Paper>

      {!valid ? (
        <Text c="dimmed">Choose the first and the last day of the frame.</Text>
      ) : summary.isError ? (
        <ErrorAlert error={summary.error} title="Could not load the activity" onRetry={() => summary.refetch()} />
      ) : (
        <Stats summary={summary.data} pending={summary.isPending} />
      )}

      {neverCalled ? (
        <FirstCall slug={slug} />
      ) : (
        valid &&
        !askingEver && (
          <>
            <Charts series={series} />
            <BreakdownPanel title="Top routes" nameHeader="Route" query={routes} empty="No calls in this time frame." monospace />
            <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
              <BreakdownPanel title="Top applications" nameHeader="Application" query={applications} empty="No calls in this time frame." />
              <BreakdownPanel
                title="Errors by status"
                nameHeader="Status"
                query={statuses}
                select={(items) => items.filter(isErrorStatus)}
                empty="No errors in this time frame."
                errorsOnly
              />
            </SimpleGrid>
          </>
        )
      )}
    </Stack>
  )
}
