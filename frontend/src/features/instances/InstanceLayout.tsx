import { Button, Stack, Text, Title } from '@mantine/core'
import { type ReactNode, useEffect } from 'react'
import { Link, Outlet, useParams } from 'react-router'
import { ErrorAlert } from '../../components/ErrorAlert'
import { FullPageLoader } from '../../components/FullPageLoader'
import { TwoFactorRequired } from '../../components/TwoFactorRequired'
import { usePageTitle } from '../../lib/pageTitle'
import { isTwoFactorRequired } from '../../lib/secondFactor'
import { rememberInstance } from '../../lib/lastInstance'
import { ApiError } from '../../lib/problem'
import { useInstance, useInstances } from './api'
import type { Instance } from './roles'

/**
 * The layout's own pages (when the instance cannot be shown) title themselves here; the instance
 * pages title themselves (a title set by this layout would override theirs: parents' effects run last).
 */
function Titled({ title, children }: { title: string; children: ReactNode }) {
  usePageTitle(title)
  return children
}

/** Loads the instance named in the URL and hands it to the instance pages. */
export function InstanceLayout() {
  const { slug = '' } = useParams()
  const instance = useInstance(slug)
  const instances = useInstances()

  useEffect(() => {
    if (instance.isSuccess) rememberInstance(slug)
  }, [instance.isSuccess, slug])

  if (instance.isPending) return <FullPageLoader label="Loading instance" />
  if (instance.isError) {
    // The instance requires two-factor sign-in and this account has none: say how to get in.
    if (isTwoFactorRequired(instance.error)) {
      const known = instances.data?.find((i) => i.slug === slug)
      return (
        <Titled title={known?.name ?? slug}>
          <TwoFactorRequired instanceName={known?.name} />
        </Titled>
      )
    }
    if (instance.error instanceof ApiError && instance.error.status === 404) {
      return (
        <Titled title="Instance not found">
          <Stack align="flex-start">
            <Title order={1} fz="h2">
              Instance not found
            </Title>
            <Text c="dimmed">There is no instance “{slug}”, or you are not a member of it.</Text>
            <Button component={Link} to="/">
              Go to my instances
            </Button>
          </Stack>
        </Titled>
      )
    }
    return <ErrorAlert error={instance.error} title="Could not load the instance" onRetry={() => instance.refetch()} />
  }
  return <Outlet context={instance.data satisfies Instance} />
}
