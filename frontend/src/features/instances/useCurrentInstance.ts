import { useOutletContext } from 'react-router'
import type { Instance } from './roles'

/** The instance loaded by InstanceLayout for the page under `/i/:slug`. */
export function useCurrentInstance(): Instance {
  return useOutletContext<Instance>()
}
