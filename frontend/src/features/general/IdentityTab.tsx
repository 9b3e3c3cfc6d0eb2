import { Alert, Box, Button, Grid, Group, Image, Paper, Progress, Skeleton, Stack, Text, ThemeIcon, Title } from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconAlertTriangle, IconLock, IconPhoto, IconPhotoUp, IconTrash, IconUpload } from '@tabler/icons-react'
import { useEffect, useRef, useState, type CSSProperties, type ReactNode } from 'react'
import { ConfirmModal } from '../../components/ConfirmModal'
import { ErrorAlert } from '../../components/ErrorAlert'
import { FileDropZone } from '../../components/FileDropZone'
import { notifyError, notifySuccess } from '../../lib/forms'
import { errorMessage } from '../../lib/problem'
import { useDeleteLogo, useLogo, useUploadLogo } from './api'
import { can, formatBytes, formatDateTime, LOGO_RULES, precheckLogo, type InstanceRef, type Logo } from './model'

/** A checkerboard, so that transparent parts of a logo show as such. */
const CHECKERBOARD: CSSProperties = {
  backgroundColor: 'white',
  backgroundImage:
    'linear-gradient(45deg, var(--mantine-color-gray-2) 25%, transparent 25%), linear-gradient(-45deg, var(--mantine-color-gray-2) 25%, transparent 25%), linear-gradient(45deg, transparent 75%, var(--mantine-color-gray-2) 75%), linear-gradient(-45deg, transparent 75%, var(--mantine-color-gray-2) 75%)',
  backgroundSize: '16px 16px',
  backgroundPosition: '0 0, 0 8px, 8px -8px, -8px 0',
  border: '1px solid var(--mantine-color-gray-3)',
  borderRadius: 'var(--mantine-radius-md)',
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap" align="baseline">
      <Text size="sm" c="dimmed" w={110} style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </Group>
  )
}

function RemoveLogo({ slug }: { slug: string }) {
  const [opened, { open, close }] = useDisclosure(false)
  const remove = useDeleteLogo(slug)
  const confirm = () =>
    remove.mutate(undefined, {
      onSuccess: () => {
        notifySuccess('Logo removed')
        close()
      },
      onError: (error) => {
        notifyError(error, 'Could not remove the logo')
        close()
      },
    })
  return (
    <>
      <Button variant="outline" color="red" size="xs" leftSection={<IconTrash size={14} aria-hidden />} onClick={open}>
        Remove logo
      </Button>
      <ConfirmModal opened={opened} onClose={close} title="Remove the logo" confirmLabel="Remove logo" onConfirm={confirm} pending={remove.isPending}>
        Emails and account pages will show the instance's name instead of a logo. Emails already sent keep linking to
        the old image, which stops loading.
      </ConfirmModal>
    </>
  )
}

function CurrentLogo({ instance, editable }: { instance: InstanceRef; editable: boolean }) {
  const logo = useLogo(instance.slug)
  if (logo.isError) return <ErrorAlert error={logo.error} title="Could not load the logo" onRetry={() => logo.refetch()} />
  if (logo.isPending) return <Skeleton h={220} radius="md" />
  const current: Logo | null = logo.data
  return (
    <Stack gap="sm" component="section" aria-label="Current logo">
      <Text fw={600} size="sm">
        Current logo
      </Text>
      <Box h={200} p="md" style={{ ...CHECKERBOARD, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
        {current ? (
          <Image src={current.url} alt="Logo" fit="contain" mah={168} maw="100%" w="auto" />
        ) : (
          <Stack align="center" gap={4}>
            <IconPhoto size={36} color="var(--mantine-color-gray-5)" aria-hidden />
            <Text size="sm" c="dimmed">
              No logo yet
            </Text>
          </Stack>
        )}
      </Box>
      {current && (
        <>
          <Stack gap={2}>
            <Fact label="Dimensions">
              {current.width} × {current.height} px
            </Fact>
            <Fact label="Size">{formatBytes(current.size_bytes)}</Fact>
            <Fact label="Transparency">{current.has_alpha ? 'Yes' : 'No'}</Fact>
            <Fact label="Updated">{formatDateTime(current.updated_at, instance.timeZone)}</Fact>
          </Stack>
          {current.warnings.map((w) => (
            <Alert key={w.code} color="yellow" variant="light" icon={<IconAlertTriangle size={18} aria-hidden />} title="Stored, with a warning" data-code={w.code}>
              {w.message}
            </Alert>
          ))}
          {editable && (
            <Group>
              <RemoveLogo slug={instance.slug} />
            </Group>
          )}
        </>
      )}
    </Stack>
  )
}

interface Chosen {
  file: File
  url: string | null
}

function objectUrl(file: File): string | null {
  return typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : null
}

function LogoUploader({ slug }: { slug: string }) {
  const upload = useUploadLogo(slug)
  const [chosen, setChosen] = useState<Chosen | null>(null)
  const [dimensions, setDimensions] = useState<string | null>(null)
  const [progress, setProgress] = useState(0)
  const [refusal, setRefusal] = useState<string | null>(null)
  const abort = useRef<AbortController | null>(null)

  // The local preview's object URL lives as long as it is shown.
  useEffect(() => {
    const url = chosen?.url
    return () => {
      if (url) URL.revokeObjectURL(url)
    }
  }, [chosen])
  useEffect(() => () => abort.current?.abort(), [])

  const onFile = (file: File) => {
    abort.current?.abort()
    setChosen({ file, url: objectUrl(file) })
    setDimensions(null)
    setProgress(0)
    setRefusal(null)
    upload.reset()
    const early = precheckLogo(file)
    if (early) {
      setRefusal(early)
      return
    }
    const controller = new AbortController()
    abort.current = controller
    upload.mutate(
      { file, onProgress: setProgress, signal: controller.signal },
      {
        onSuccess: (logo) => {
          setChosen(null)
          notifySuccess(logo.warnings.length ? 'Logo uploaded, with a warning' : 'Logo uploaded')
        },
        onError: (error) => {
          if (error instanceof DOMException && error.name === 'AbortError') {
            setChosen(null)
            return
          }
          setRefusal(errorMessage(error))
        },
      },
    )
  }

  const uploading = upload.isPending
  return (
    <Stack gap="sm">
      <FileDropZone
        accept="image/png"
        onFile={onFile}
        disabled={uploading}
        label="Upload a logo: drop a PNG file here or choose one"
        inputLabel="Logo file"
      >
        <Group justify="center" gap="md" wrap="nowrap">
          <ThemeIcon size={48} radius="xl" variant="light">
            <IconPhotoUp size={26} aria-hidden />
          </ThemeIcon>
          <div>
            <Text fw={600}>Drop a PNG here</Text>
            <Text size="sm" c="dimmed">
              {LOGO_RULES}
            </Text>
          </div>
        </Group>
        <Group justify="center" mt="md">
          {/* The click reaches the zone, which opens the file picker. */}
          <Button variant="default" size="xs" leftSection={<IconUpload size={14} aria-hidden />} disabled={uploading}>
            Choose a file
          </Button>
        </Group>
      </FileDropZone>

      {chosen && (
        <Paper withBorder radius="md" p="sm" aria-label="Chosen file" component="section">
          <Group wrap="nowrap" align="flex-start" gap="md">
            <Box w={72} h={72} style={{ ...CHECKERBOARD, display: 'flex', alignItems: 'center', justifyContent: 'center', flexShrink: 0 }}>
              {chosen.url ? (
                <img
                  src={chosen.url}
                  alt="Preview of the chosen file"
                  style={{ maxWidth: 64, maxHeight: 64, objectFit: 'contain' }}
                  onLoad={(e) => setDimensions(`${e.currentTarget.naturalWidth} × ${e.currentTarget.naturalHeight} px`)}
                  onError={() => setDimensions('not an image the browser can show')}
                />
              ) : (
                <IconUpload size={24} aria-hidden />
              )}
            </Box>
            <Stack gap={6} style={{ flex: 1, minWidth: 0 }}>
              <Text size="sm" fw={500} truncate title={chosen.file.name}>
                {chosen.file.name}
              </Text>
              <Text size="xs" c="dimmed">
                {formatBytes(chosen.file.size)}
                {dimensions ? ` · ${dimensions}` : ''}
              </Text>
              {uploading && (
                <>
                  <Progress
                    value={progress < 1 ? Math.max(progress * 100, 3) : 100}
                    animated={progress >= 1}
                    striped={progress >= 1}
                    aria-label="Upload progress"
                    size="md"
                  />
                  <Group justify="space-between" gap="xs">
                    <Text size="xs" c="dimmed" role="status">
                      {progress < 1 ? `Uploading… ${Math.round(progress * 100)} %` : 'Checking the image…'}
                    </Text>
                    <Button variant="subtle" size="compact-xs" color="gray" onClick={() => abort.current?.abort()}>
                      Cancel
                    </Button>
                  </Group>
                </>
              )}
            </Stack>
          </Group>
          {refusal && (
            <Alert color="red" mt="sm" title="This file was not accepted" role="alert">
              {refusal}
            </Alert>
          )}
        </Paper>
      )}
    </Stack>
  )
}

export function IdentityTab({ instance }: { instance: InstanceRef }) {
  const editable = can.editLogo(instance.role)
  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="logo-heading">
      <Title order={2} fz="h4" id="logo-heading">
        Logo
      </Title>
      <Text c="dimmed" size="sm" mb="lg">
        Shown at the top of every email this instance sends, and on the account pages its users open from those emails.
      </Text>
      <Grid gap="xl">
        <Grid.Col span={{ base: 12, md: 5 }}>
          <CurrentLogo instance={instance} editable={editable} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          {editable ? (
            <Stack gap="sm">
              <Text fw={600} size="sm">
                Upload a new logo
              </Text>
              <LogoUploader slug={instance.slug} />
            </Stack>
          ) : (
            <Alert variant="light" color="gray" icon={<IconLock size={18} aria-hidden />} title="Read-only">
              Your role on this instance is viewer: developers, admins and owners can change the logo. The rules
              for a logo: {LOGO_RULES}.
            </Alert>
          )}
        </Grid.Col>
      </Grid>
    </Paper>
  )
}
