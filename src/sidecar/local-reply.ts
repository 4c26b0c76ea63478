// Envoy's local replies (router.cc): routing outcomes and upstream failures, with status, response
// flags, details and body, so a request looks exactly like one through a real sidecar
// (istio-semantics §7.6).

export interface LocalReply {
  readonly status: number
  readonly flags: readonly string[]
  readonly details: string
  readonly body: string
  /** As access logs show it (spaces escaped). */
  readonly transportFailureReason?: string
}

export const noHealthyUpstream = (): LocalReply => ({
  status: 503,
  flags: ['UH'],
  details: 'no_healthy_upstream',
  body: 'no healthy upstream',
})

/** A virtual host matched but none of its routes did. */
export const routeNotFound = (): LocalReply => ({
  status: 404,
  flags: ['NR'],
  details: 'route_not_found',
  body: '',
})

/** A route's direct_response: no flags, and no upstream. */
export const directResponse = (status: number, body = ''): LocalReply => ({
  status,
  flags: [],
  details: 'direct_response',
  body,
})

export const clusterNotFound = (): LocalReply => ({
  status: 503,
  flags: ['NC'],
  details: 'cluster_not_found',
  body: '',
})

/** Connect failures after Istio's default retries (connect-failure, 2 retries). */
export function upstreamReset(
  reason: string,
  transportFailureReason: string | undefined,
  retried: boolean,
): LocalReply {
  // Envoy's details and access-log fields have spaces escaped; the body keeps them.
  const detail = [reason, transportFailureReason].filter(Boolean).join(',').replaceAll(' ', '_')
  const tail = transportFailureReason ? `, transport failure reason: ${transportFailureReason}` : ''
  return {
    status: 503,
    flags: retried ? ['UF', 'URX'] : ['UF'],
    details: `upstream_reset_before_response_started{${detail}}`,
    body: `upstream connect error or disconnect/reset before headers. ${retried ? 'retried and the latest ' : ''}reset reason: ${reason}${tail}`,
    ...(transportFailureReason
      ? { transportFailureReason: transportFailureReason.replaceAll(' ', '_') }
      : {}),
  }
}

/** The upstream closed or reset after the request was sent. */
export const upstreamTerminated = (): LocalReply => ({
  status: 503,
  flags: ['UC'],
  details: 'upstream_reset_before_response_started{connection_termination}',
  body: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
})

/** The upstream's response could not be parsed. */
export const upstreamProtocolError = (): LocalReply => ({
  status: 502,
  flags: ['UPE'],
  details: 'upstream_reset_before_response_started{protocol_error}',
  body: 'upstream connect error or disconnect/reset before headers. reset reason: protocol error',
})
