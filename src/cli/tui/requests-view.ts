// The Requests view: the live access log (filtered, one line per proxy record, the selected
// one marked with '>'), and the hop-by-hop detail of the selected request (lines from hops.ts).

import { Box, Text } from 'ink'
import { createElement as h, type ReactElement } from 'react'
import type { AccessRecord } from '../../runtime/index.ts'
import { type Line, ListView } from './list-view.ts'
import { requestLine } from './requests.ts'

export interface RequestsViewProps {
  /** Only the records on screen: React's development build copies and diffs every prop. */
  readonly shown: readonly AccessRecord[]
  /** Index in the filtered log of `shown[0]`, and the log's length. */
  readonly start: number
  readonly total: number
  /** Index in the filtered log of the selected line. */
  readonly selected: number
  readonly columns: number
  readonly rows: number
  readonly color: boolean
}

/** The window of lines that keeps the selection in view, ending at the newest when it can. */
export function requestWindow(
  total: number,
  selected: number,
  rows: number,
): { start: number; end: number } {
  const room = Math.max(1, rows - 1)
  const end = Math.min(total, Math.max(selected + 1, room))
  return { start: Math.max(0, end - room), end }
}

export function RequestsView(props: RequestsViewProps): ReactElement {
  const { shown, start, total, selected, columns, rows, color } = props
  return h(
    Box,
    { flexDirection: 'column', width: columns, height: rows, overflow: 'hidden' },
    h(
      Text,
      { dimColor: color, wrap: 'truncate' },
      `${total} records  ↑↓/jk select  enter hops  p pause  / regex filter (! negates, -f fuzzy)`,
    ),
    ...shown.map((r, i) => {
      const at = start + i
      const mark = at === selected ? '>' : ' '
      const failed = r.responseCode >= 500 || r.responseFlags.length > 0
      return h(
        Text,
        {
          key: `${at}`,
          wrap: 'truncate',
          inverse: color && at === selected,
          ...(color && failed ? { color: 'red' } : {}),
        },
        `${mark}${requestLine(r)}`,
      )
    }),
  )
}

export interface HopsViewProps {
  /** Any record of the request, for its title. */
  readonly request: AccessRecord
  /** hopLines() of its hops. */
  readonly lines: readonly Line[]
  /** The first line shown (j/k scroll a record longer than the screen). */
  readonly offset: number
  readonly columns: number
  readonly rows: number
  readonly color: boolean
}

export function HopsView(props: HopsViewProps): ReactElement {
  const { request: r, lines, offset, columns, rows, color } = props
  const what = r.method ? `${r.method} ${r.authority ?? ''}${r.path ?? ''}` : 'TCP'
  const head: Line[] = [
    { text: `request ${r.requestId ?? '(no x-request-id)'}  ${what}`, style: 'title' },
  ]
  return h(ListView, { head, body: lines, offset, columns, rows, color })
}
