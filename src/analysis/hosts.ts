// Host names as Istio's analyzers compare them (analyzers/util/hosts.go, pkg/config/host): short
// names become FQDNs in a namespace, `<name>.<ns>.svc.cluster.local` names a Service, and
// wildcards overlap by suffix.

const SERVICE_FQDN = /^(.+)\.(.+)\.svc\.cluster\.local$/

/** ConvertHostToFQDN: a name without dots (and not a wildcard) is a Service in `ns`. */
export function toFqdn(ns: string, host: string): string {
  return !host.startsWith('*') && !host.includes('.') ? `${host}.${ns}.svc.cluster.local` : host
}

/**
 * GetResourceNameFromHost: the namespace and name a host stands for; hosts that name no Service
 * (`helloworld.sample.global`) count as a name in `ns`.
 */
export function resourceNameOfHost(ns: string, host: string): string {
  const m = SERVICE_FQDN.exec(host)
  return m ? `${m[2]}/${m[1]}` : `${ns}/${host}`
}

/** host.Name.Matches: equal names, or a wildcard whose suffix the other ends with. */
export function hostsOverlap(a: string, b: string): boolean {
  const aw = a.startsWith('*')
  const bw = b.startsWith('*')
  if (aw && bw)
    return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1))
  if (aw) return b.endsWith(a.slice(1))
  if (bw) return a.endsWith(b.slice(1))
  return a === b
}

/**
 * The namespaces a resource is visible in, from exportTo (or the networking.istio.io/exportTo
 * annotation of a Service): `*` for all, `.` for its own.
 */
export function exportScopes(ns: string, exportTo: readonly string[] | undefined): string[] {
  if (!exportTo || exportTo.length === 0) return ['*']
  return exportTo.map((e) => (e === '.' ? ns : e))
}
