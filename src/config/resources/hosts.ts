// Host names as Istio validates them (pkg/config/validation/agent): DNS-1123 labels (upper case
// allowed, as Istio's labels package does), a wildcard only as the whole first label, IPs and
// CIDRs, and the wildcard-aware host comparisons behind duplicate and SNI checks.

import { isIP } from 'node:net'

const LABEL = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/
const WILDCARD_LABEL = /^(\*|(\*|\*-)?[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)$/

/** Istio's labels.IsDNS1123Label: subset names, port names, gateway names. */
export function isLabel(s: string): boolean {
  return s.length <= 63 && LABEL.test(s)
}

function labelsProblem(domain: string): string | undefined {
  const parts = domain.split('.')
  const tld = parts.at(-1) ?? ''
  if (/^[+-]?\d+$/.test(tld)) return `its top-level domain "${tld}" is all digits`
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1 && part === '') return undefined
    if (!(part.length <= 63 && LABEL.test(part)))
      return part === ''
        ? 'it has an empty label (two dots in a row, or a leading dot)'
        : `its label "${part}" is not a DNS label (letters, digits and '-', at most 63)`
  }
  return undefined
}

function preconditions(domain: string): string | undefined {
  if (domain.length === 0) return 'it is empty'
  if (domain.length > 255) return 'it is longer than 255 characters'
  return undefined
}

/** Why `domain` is not a valid host name with an optional wildcard first label, if it is not. */
export function wildcardDomainProblem(domain: string): string | undefined {
  const pre = preconditions(domain)
  if (pre) return pre
  const dot = domain.indexOf('.')
  const first = dot < 0 ? domain : domain.slice(0, dot)
  if (!(first.length <= 63 && WILDCARD_LABEL.test(first)))
    return first.includes('*')
      ? `a wildcard must be the whole first label ("*.example.com"), not "${first}"`
      : `its label "${first}" is not a DNS label (letters, digits and '-', at most 63)`
  return dot < 0 ? undefined : labelsProblem(domain.slice(dot + 1))
}

/** Why `name` is not a fully qualified domain name (no wildcards), if it is not. */
export function fqdnProblem(name: string): string | undefined {
  return preconditions(name) ?? labelsProblem(name)
}

export function isIpAddress(s: string): boolean {
  return isIP(s) !== 0
}

/** Istio's ValidateIPSubnet: an IP, or a CIDR such as 10.0.0.0/8 or 2001:db8::/32. */
export function isIpOrCidr(s: string): boolean {
  const parts = s.split('/')
  if (parts.length === 1) return isIpAddress(s)
  if (parts.length !== 2) return false
  const [addr = '', bits = ''] = parts
  const family = isIP(addr)
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false
  return Number(bits) <= (family === 4 ? 32 : 128)
}

const isWild = (h: string) => h.startsWith('*')

/** Istio's host.Name.Matches: whether either host covers the other (duplicate hosts). */
export function hostsOverlap(a: string, b: string): boolean {
  if (isWild(a) && isWild(b))
    return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1))
  if (isWild(a)) return b.endsWith(a.slice(1))
  if (isWild(b)) return a.endsWith(b.slice(1))
  return a === b
}

/** Istio's host.Name.SubsetOf: whether every name `a` covers is covered by `b`. */
export function hostSubsetOf(a: string, b: string): boolean {
  if (a === b) return true
  if (!isWild(b)) return false
  return isWild(a) ? a.slice(1).endsWith(b.slice(1)) : a.endsWith(b.slice(1))
}
