import { SecretsSection as ClientSecrets } from '../../components/SecretsSection'
import { useRotateSecret } from './api'
import type { Application } from './model'

/** A back-end app's secrets, with rotation (the shared secrets card, wired to this app). */
export function SecretsSection({ slug, app, editable, timeZone }: { slug: string; app: Application; editable: boolean; timeZone: string }) {
  const rotate = useRotateSecret(slug, app.id)
  return <ClientSecrets name={app.name} clientId={app.client_id} secrets={app.secrets} editable={editable} timeZone={timeZone} rotate={rotate} />
}
