import { Alert, Badge, Group, Progress, Stack, Text } from '@mantine/core'
import { IconAlertTriangle, IconBan } from '@tabler/icons-react'
import { Panel } from '../../components/Panel'
import { formatDateTime } from '../../lib/datetime'
import { formatCount, formatLastDay, formatMoney, formatPeriod, LIMIT_LABELS, limitDescription, METRIC_LABELS, usageColor, type BillingOverview, type UsageAlert } from './model'

/** Usage against one quota: "850 of 1,000 (85%)" and a bar, yellow from 80 %, red from 100 %. */
function Quota({ label, used, included, percent }: { label: string; used: number; included: number; percent: number }) {
  return (
    <Stack gap={4}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={500}>
          {label}
        </Text>
        <Text size="sm">
          {formatCount(used)} of {formatCount(included)} ({percent}%)
        </Text>
      </Group>
      <Progress value={Math.min(percent, 100)} color={usageColor(percent)} size="lg" aria-label={`${label} used of the quota`} />
    </Stack>
  )
}

/** The current plan, its price, the period and this period's usage against its quotas. */
export function PlanCard({ overview, timeZone }: { overview: BillingOverview; timeZone: string }) {
  const { plan } = overview
  return (
    <Panel title="Current plan" description={`Period ${formatPeriod(overview.period.start, overview.period.end, timeZone)}`}>
      <Group justify="space-between" align="flex-start" gap="xs">
        <div>
          <Text fz={24} fw={700} lh={1.2} data-testid="current-plan">
            {plan.name}
          </Text>
          <Text size="sm">{formatMoney(plan.monthly_price_minor, plan.currency)} / month</Text>
        </div>
        <Badge color={plan.limit === 'hard' ? 'red' : 'blue'} variant="light">
          {LIMIT_LABELS[plan.limit]}
        </Badge>
      </Group>
      <Text size="xs" c="dimmed">
        {limitDescription(plan)}
      </Text>
      <Quota label="API calls" used={overview.calls} included={plan.included_calls} percent={overview.calls_percent} />
      <Quota label="Users" used={overview.users} included={plan.included_users} percent={overview.users_percent} />
      {overview.limit_reached && (
        <Alert color="red" variant="light" title="Quota reached" icon={<IconBan size={18} aria-hidden />} role="alert">
          The public API answers 429 (quota exceeded) to every call until the period ends on{' '}
          {formatLastDay(overview.period.end, timeZone)} or the plan changes.
        </Alert>
      )}
    </Panel>
  )
}

/** This period's usage alerts (80 % and 100 % of a quota), newest first as the server sends them. */
export function UsageAlerts({ alerts, timeZone }: { alerts: UsageAlert[]; timeZone: string }) {
  return (
    <Panel title="Alerts this period">
      {alerts.length === 0 ? (
        <Text size="sm" c="dimmed">
          None: usage is below 80% of every quota.
        </Text>
      ) : (
        alerts.map((a) => (
          <Alert
            key={`${a.metric}-${a.threshold}`}
            color={a.threshold >= 100 ? 'red' : 'yellow'}
            variant="light"
            icon={<IconAlertTriangle size={18} aria-hidden />}
            title={`${a.threshold}% of the included ${METRIC_LABELS[a.metric]} used`}
          >
            Reached {formatDateTime(a.at, timeZone)}.
          </Alert>
        ))
      )}
    </Panel>
  )
}
