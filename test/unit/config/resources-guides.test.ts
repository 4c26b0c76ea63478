import { describe, expect, test } from 'vitest'
import { parseResources } from '../../../src/config/index.ts'

/** Parses text that must be valid; returns the resources and the warnings' codes. */
function parse(text: string, namespace?: string) {
  const r = parseResources(text, { file: 'guide.yaml', ...(namespace ? { namespace } : {}) })
  expect(r.problems).toEqual([])
  return { resources: r.resources, warnings: r.warnings.map((w) => w.code) }
}

// samples/multicluster/expose-services.yaml (istio@HEAD), as written.
const EXPOSE_SERVICES = `apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: cross-network-gateway
spec:
  selector:
    istio: eastwestgateway
  servers:
    - port:
        number: 15443
        name: tls
        protocol: TLS
      tls:
        mode: AUTO_PASSTHROUGH
      hosts:
        - "*.local"
`

// samples/multicluster/expose-istiod.yaml (istio@HEAD), as written.
const EXPOSE_ISTIOD = `apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata:
  name: istiod-gateway
  namespace: istio-system
spec:
  selector:
    istio: eastwestgateway
  servers:
    - port:
        name: tls-istiod
        number: 15012
        protocol: tls
      tls:
        mode: PASSTHROUGH        
      hosts:
        - "*"
    - port:
        name: tls-istiodwebhook
        number: 15017
        protocol: tls
      tls:
        mode: PASSTHROUGH          
      hosts:
        - "*"
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: istiod-vs
  namespace: istio-system
spec:
  hosts:
  - "*"
  gateways:
  - istiod-gateway
  tls:
  - match:
    - port: 15012
      sniHosts:
      - "*"
    route:
    - destination:
        host: istiod.istio-system.svc.cluster.local
        port:
          number: 15012
  - match:
    - port: 15017
      sniHosts:
      - "*"
    route:
    - destination:
        host: istiod.istio-system.svc.cluster.local
        port:
          number: 443
`

// The replicated-control-planes guide (1.4-1.7): a .global ServiceEntry, applied with -n foo.
const HTTPBIN_BAR = `apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata:
  name: httpbin-bar
spec:
  hosts:
  # must be of form name.namespace.global
  - httpbin.bar.global
  # Treat remote cluster services as part of the service mesh
  # as all clusters in the service mesh share the same root of trust.
  location: MESH_INTERNAL
  ports:
  - name: http1
    number: 8000
    protocol: http
  resolution: DNS
  addresses:
  # the IP address to which httpbin.bar.global will resolve to
  # must be unique for each remote service, within a given cluster.
  - 240.0.0.2
  endpoints:
  # This is the routable address of the ingress gateway in cluster2 that
  # sits in front of sleep.foo service.
  - address: 192.168.1.247
    ports:
      http1: 15443 # Do not change this port value
`

const HELLOWORLD_DR = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: helloworld
  namespace: sample
spec:
  host: helloworld.sample.svc.cluster.local
  trafficPolicy:
    loadBalancer:
      simple: ROUND_ROBIN
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
`

const REVIEWS_VS = `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: helloworld
  namespace: sample
spec:
  hosts:
  - helloworld
  http:
  - match:
    - headers:
        end-user:
          exact: jason
    route:
    - destination:
        host: helloworld
        subset: v2
  - route:
    - destination:
        host: helloworld
        subset: v1
      weight: 90
    - destination:
        host: helloworld
        subset: v2
      weight: 10
`

describe("the guides' YAML parses into the model's resources", () => {
  test("expose-services.yaml's east-west Gateway passes *.local through on 15443", () => {
    const { resources, warnings } = parse(EXPOSE_SERVICES)
    expect(warnings).toEqual([])
    expect(resources).toEqual([
      {
        kind: 'Gateway',
        metadata: { name: 'cross-network-gateway', namespace: 'default' },
        spec: {
          selector: { istio: 'eastwestgateway' },
          servers: [
            {
              port: { number: 15443, name: 'tls', protocol: 'TLS' },
              hosts: ['*.local'],
              tls: { mode: 'AUTO_PASSTHROUGH' },
            },
          ],
        },
      },
    ])
  })

  test('applied with -n istio-system, a resource without a namespace lands there', () => {
    const { resources } = parse(EXPOSE_SERVICES, 'istio-system')
    expect(resources[0]?.metadata.namespace).toBe('istio-system')
  })

  test("expose-istiod.yaml gives a Gateway and a VirtualService whose tls routes pick istiod's ports", () => {
    const { resources, warnings } = parse(EXPOSE_ISTIOD)
    expect(resources.map((r) => `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`)).toEqual([
      'Gateway istio-system/istiod-gateway',
      'VirtualService istio-system/istiod-vs',
    ])
    const vs = resources[1]
    if (vs?.kind !== 'VirtualService') throw new Error('expected a VirtualService')
    expect(vs.spec.gateways).toEqual(['istiod-gateway'])
    expect(vs.spec.tls).toEqual([
      {
        match: [{ sniHosts: ['*'], port: 15012 }],
        route: [
          {
            destination: { host: 'istiod.istio-system.svc.cluster.local', port: { number: 15012 } },
          },
        ],
      },
      {
        match: [{ sniHosts: ['*'], port: 15017 }],
        route: [
          { destination: { host: 'istiod.istio-system.svc.cluster.local', port: { number: 443 } } },
        ],
      },
    ])
    // The guide's YAML as written: nothing to warn about.
    expect(warnings).toEqual([])
  })

  test('the .global ServiceEntry httpbin-bar keeps its VIP, its DNS resolution and the 15443 endpoint port', () => {
    const { resources, warnings } = parse(HTTPBIN_BAR, 'foo')
    expect(warnings).toEqual([])
    expect(resources).toEqual([
      {
        kind: 'ServiceEntry',
        metadata: { name: 'httpbin-bar', namespace: 'foo' },
        spec: {
          hosts: ['httpbin.bar.global'],
          location: 'MESH_INTERNAL',
          ports: [{ number: 8000, name: 'http1', protocol: 'http' }],
          resolution: 'DNS',
          addresses: ['240.0.0.2'],
          endpoints: [{ address: '192.168.1.247', ports: { http1: 15443 } }],
        },
      },
    ])
  })

  test('a DestinationRule selects subsets v1 and v2 by the version label', () => {
    const { resources, warnings } = parse(HELLOWORLD_DR)
    expect(warnings).toEqual([])
    const dr = resources[0]
    if (dr?.kind !== 'DestinationRule') throw new Error('expected a DestinationRule')
    expect(dr.spec.host).toBe('helloworld.sample.svc.cluster.local')
    expect(dr.spec.trafficPolicy).toEqual({ loadBalancer: { simple: 'ROUND_ROBIN' } })
    expect(dr.spec.subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ])
  })

  test('a VirtualService sends jason to v2 and splits everyone else 90/10', () => {
    const { resources, warnings } = parse(REVIEWS_VS)
    expect(warnings).toEqual([])
    const vs = resources[0]
    if (vs?.kind !== 'VirtualService') throw new Error('expected a VirtualService')
    expect(vs.spec.hosts).toEqual(['helloworld'])
    expect(vs.spec.http).toEqual([
      {
        match: [{ headers: { 'end-user': { exact: 'jason' } } }],
        route: [{ destination: { host: 'helloworld', subset: 'v2' } }],
      },
      {
        route: [
          { destination: { host: 'helloworld', subset: 'v1' }, weight: 90 },
          { destination: { host: 'helloworld', subset: 'v2' }, weight: 10 },
        ],
      },
    ])
  })

  test('all of them in one file, separated by ---, parse in file order', () => {
    const text = [EXPOSE_SERVICES, EXPOSE_ISTIOD, HTTPBIN_BAR, HELLOWORLD_DR, REVIEWS_VS].join(
      '---\n',
    )
    const r = parseResources(text, { file: 'all.yaml' })
    expect(r.problems).toEqual([])
    expect(r.resources.map((x) => x.kind)).toEqual([
      'Gateway',
      'Gateway',
      'VirtualService',
      'ServiceEntry',
      'DestinationRule',
      'VirtualService',
    ])
  })
})
