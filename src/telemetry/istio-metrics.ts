// Istio's standard metrics (https://istio.io/latest/docs/reference/config/metrics/) from access
// records: each HTTP request once per sidecar that logged it (source at the client, destination
// at the server), each TCP connection likewise when it closes.

import type { Registry } from 'prom-client'
import type { AccessRecord } from '../proxy/index.ts'
import { type Family, histogramSamples, register, type Sample } from './exposition.ts'
import { type HttpLabel, httpLabels, type TcpLabel, tcpLabels } from './labels.ts'
import { Distribution, SeriesTable } from './series.ts'

interface RequestSeries {
  requests: number
  readonly duration: Distribution
  readonly requestBytes: Distribution
  readonly responseBytes: Distribution
}

interface TcpSeries {
  opened: number
  closed: number
  sent: number
  received: number
}

export class IstioMetrics {
  readonly #http = new SeriesTable<HttpLabel, RequestSeries>(() => ({
    requests: 0,
    duration: new Distribution(),
    requestBytes: new Distribution(),
    responseBytes: new Distribution(),
  }))
  readonly #tcp = new SeriesTable<TcpLabel, TcpSeries>(() => ({
    opened: 0,
    closed: 0,
    sent: 0,
    received: 0,
  }))

  constructor(registry: Registry) {
    const http = this.#http
    const tcp = this.#tcp
    const counter = <S>(
      name: string,
      help: string,
      table: SeriesTable<string, S>,
      value: (s: S) => number,
    ): Family => ({
      name,
      help,
      type: 'counter',
      *samples(): Iterable<Sample> {
        for (const [labels, s] of table.entries()) yield { labels, value: value(s) }
      },
    })
    const histogram = (
      name: string,
      help: string,
      pick: (s: RequestSeries) => Distribution,
    ): Family => ({
      name,
      help,
      type: 'histogram',
      *samples(): Iterable<Sample> {
        for (const [labels, s] of http.entries()) yield* histogramSamples(name, labels, pick(s))
      },
    })
    const families = [
      counter(
        'istio_requests_total',
        'Requests handled by an Istio proxy.',
        http,
        (s) => s.requests,
      ),
      histogram(
        'istio_request_duration_milliseconds',
        'Duration of requests, in milliseconds.',
        (s) => s.duration,
      ),
      histogram('istio_request_bytes', 'HTTP request body sizes.', (s) => s.requestBytes),
      histogram('istio_response_bytes', 'HTTP response body sizes.', (s) => s.responseBytes),
      counter(
        'istio_tcp_sent_bytes_total',
        'Bytes sent during response in a TCP connection.',
        tcp,
        (s) => s.sent,
      ),
      counter(
        'istio_tcp_received_bytes_total',
        'Bytes received during request in a TCP connection.',
        tcp,
        (s) => s.received,
      ),
      counter(
        'istio_tcp_connections_opened_total',
        'TCP connections opened.',
        tcp,
        (s) => s.opened,
      ),
      counter(
        'istio_tcp_connections_closed_total',
        'TCP connections closed.',
        tcp,
        (s) => s.closed,
      ),
    ]
    for (const f of families) register(registry, f)
  }

  /** Counts one access record (a RecordStream listener). */
  readonly observe = (r: AccessRecord): void => {
    const http = httpLabels(r)
    if (http !== undefined) {
      const s = this.#http.get(http)
      s.requests++
      // Envoy records whole milliseconds.
      s.duration.observe(Math.floor(r.durationMs))
      s.requestBytes.observe(r.bytesReceived)
      s.responseBytes.observe(r.bytesSent)
      return
    }
    const tcp = tcpLabels(r)
    if (tcp === undefined) return
    const s = this.#tcp.get(tcp)
    // Records come when connections close: the open is counted then too.
    s.opened++
    s.closed++
    s.sent += r.bytesSent
    s.received += r.bytesReceived
  }
}
