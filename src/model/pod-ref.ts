// How users name a pod on the command line: CLUSTER/NAMESPACE/NAME, where NAME is the pod's
// name, its app label, or app-version (cluster1/sample/helloworld-v1).

export interface PodNames {
  readonly cluster: string
  readonly namespace: string
  readonly name: string
  readonly app: string
  readonly version?: string
}

export function matchesPodRef(pod: PodNames, ref: string): boolean {
  const [cluster, ns, name, ...rest] = ref.split('/')
  if (!cluster || !ns || !name || rest.length > 0) return false
  return (
    pod.cluster === cluster &&
    pod.namespace === ns &&
    (pod.name === name || pod.app === name || `${pod.app}-${pod.version}` === name)
  )
}
