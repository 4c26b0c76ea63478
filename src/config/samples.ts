// What each built-in sample app brings when a workload leaves fields out: the ports and service
// account of Istio's samples (samples/helloworld, sleep, httpbin, tcp-echo).

import type { SampleApp } from '../model/index.ts'

export interface SampleDefaults {
  readonly serviceAccount: string
  readonly ports: readonly { name: string; port: number; targetPort: number }[]
}

export const SAMPLE_DEFAULTS: Readonly<Record<SampleApp, SampleDefaults>> = {
  helloworld: {
    serviceAccount: 'default',
    ports: [{ name: 'http', port: 5000, targetPort: 5000 }],
  },
  sleep: { serviceAccount: 'sleep', ports: [{ name: 'http', port: 80, targetPort: 80 }] },
  httpbin: { serviceAccount: 'httpbin', ports: [{ name: 'http', port: 8000, targetPort: 8080 }] },
  'tcp-echo': {
    serviceAccount: 'default',
    ports: [
      { name: 'tcp', port: 9000, targetPort: 9000 },
      { name: 'tcp-other', port: 9001, targetPort: 9001 },
    ],
  },
}
