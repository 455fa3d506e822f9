/** Service helpers shared by the Prometheus and Grafana manifests. Pure. */
import type { ServiceSettings } from '../../config/environment.js';

/** The `nodePort` of a Service port, when the Service type has one and it is pinned. */
export function nodePortFields(service: ServiceSettings): { nodePort?: number } {
  return service.type !== 'ClusterIP' && service.nodePort !== undefined
    ? { nodePort: service.nodePort }
    : {};
}
