// Route destinations as Istio validates them (validateDestination, validateHTTPRouteDestinations):
// a valid host, a DNS-label subset, non-negative weights, and — current Istio normalizes weights
// instead of requiring 100 — only a total of 0 across several destinations is refused.

import type { Destination, RouteDestination } from '../../model/index.ts'
import { ProblemCode } from '../errors.ts'
import { isLabel, wildcardDomainProblem } from './hosts.ts'
import type { Path, Report } from './report.ts'
import type { DestinationInput } from './schema.ts'

export function checkDestination(r: Report, path: Path, d: DestinationInput): void {
  if (d.host === '*') {
    r.error(ProblemCode.BadHost, [...path, 'host'], 'a destination host cannot be "*"; name a host')
  } else {
    const why = wildcardDomainProblem(d.host)
    if (why)
      r.error(
        ProblemCode.BadHost,
        [...path, 'host'],
        `destination host "${d.host}" is not a valid host name: ${why}`,
      )
  }
  if (d.subset !== undefined && d.subset !== '' && !isLabel(d.subset))
    r.error(
      ProblemCode.BadValue,
      [...path, 'subset'],
      `subset "${d.subset}" is not a valid subset name (a DNS label: letters, digits and '-')`,
    )
}

/** Checks a route's destinations and their weights; `path` is the `route` list. */
export function checkRouteDestinations(
  r: Report,
  path: Path,
  route: readonly { destination: DestinationInput; weight?: number | undefined }[],
): void {
  let total = 0
  route.forEach((rd, k) => {
    checkDestination(r, [...path, k, 'destination'], rd.destination)
    const w = rd.weight ?? 0
    if (w < 0)
      r.error(
        ProblemCode.BadWeight,
        [...path, k, 'weight'],
        `weight ${w} is negative; weights are 0 or more`,
      )
    total += w
  })
  if (route.length > 1 && total === 0)
    r.error(
      ProblemCode.BadWeight,
      path,
      `the weights of these ${route.length} destinations add up to 0, so none would get traffic; give at least one a weight above 0 (weights are relative: Istio does not need them to sum to 100)`,
      'key',
    )
}

export function toDestination(d: DestinationInput): Destination {
  return {
    host: d.host,
    ...(d.subset ? { subset: d.subset } : {}),
    ...(d.port ? { port: { number: d.port.number } } : {}),
  }
}

export function toRouteDestinations(
  route: readonly { destination: DestinationInput; weight?: number | undefined }[],
): RouteDestination[] {
  return route.map((rd) => ({
    destination: toDestination(rd.destination),
    ...(rd.weight !== undefined ? { weight: rd.weight } : {}),
  }))
}
