import { Button, Center, Stack, Text, Title } from '@mantine/core'
import { Link } from 'react-router'
import { usePageTitle } from '../lib/pageTitle'

export function NotFoundPage() {
  usePageTitle('Page not found')
  return (
    <Center mih="60vh">
      <Stack align="center" gap="xs">
        <Title order={1} fz="h2">
          Page not found
        </Title>
        <Text c="dimmed">There is nothing at this address.</Text>
        <Button component={Link} to="/" mt="sm">
          Back to the console
        </Button>
      </Stack>
    </Center>
  )
}
