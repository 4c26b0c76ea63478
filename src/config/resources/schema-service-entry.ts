// The ServiceEntry spec as zod schemas: hosts, addresses, ports, location, resolution and
// endpoints (WorkloadEntry).

import { z } from 'zod'
import { port, stringMap, strings, uint32 } from './schema-fields.ts'

const WorkloadEntrySchema = z.strictObject({
  address: z.string().optional().describe('An IP, or a host name with resolution DNS.'),
  ports: z
    .record(z.string(), port('an endpoint port'))
    .optional()
    .describe('Service port name -> port on this endpoint.'),
  labels: stringMap('label').optional(),
  network: z.string().optional(),
  locality: z.string().optional(),
  weight: uint32('weight').optional(),
  serviceAccount: z.string().optional(),
})

export const ServiceEntrySpecSchema = z.strictObject({
  hosts: strings('host').describe('Host names; wildcards (*.example.com) allowed.'),
  addresses: strings('address').optional().describe('Virtual IPs or CIDRs of the service.'),
  ports: z
    .array(
      z.strictObject({
        number: port('number'),
        protocol: z
          .string()
          .optional()
          .describe('HTTP, HTTPS, HTTP2, GRPC, TLS, TCP, MONGO, REDIS, MYSQL...'),
        name: z.string().describe('A DNS label; endpoints name ports by it.'),
        targetPort: port('targetPort').optional(),
      }),
    )
    .optional(),
  location: z
    .enum(['MESH_EXTERNAL', 'MESH_INTERNAL'])
    .optional()
    .describe('Default MESH_EXTERNAL.'),
  resolution: z
    .enum(['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN'])
    .optional()
    .describe('Default NONE.'),
  endpoints: z.array(WorkloadEntrySchema).optional(),
  workloadSelector: z
    .strictObject({ labels: stringMap('label').optional() })
    .optional()
    .describe('Accepted, not emulated by meshsim yet.'),
  exportTo: strings('namespace').optional(),
  subjectAltNames: strings('subject alt name').optional(),
})
