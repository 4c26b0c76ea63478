// A screen of text lines under fixed head lines: a list with one selected line kept in view
// (marked `>`, so the selection shows without colour), or a page scrolled by an offset; when
// lines are cut off, the last says how many more and how to reach them.

import { Box, Text } from 'ink'
import { createElement as h, type ReactElement } from 'react'

export interface Line {
  readonly text: string
  /** title: bold; header: bold and dim; note: dim; warn: yellow (the words carry the meaning). */
  readonly style?: 'title' | 'header' | 'note' | 'warn'
}

export interface ListViewProps {
  readonly head: readonly Line[]
  readonly body: readonly Line[]
  /** A list: the selected index into body. */
  readonly selected?: number
  /** A page: the first body line shown (clamped). */
  readonly offset?: number
  readonly columns: number
  readonly rows: number
  readonly color: boolean
}

/** Body lines shown in `rows` under `head` lines: one is kept for the `… more` note if needed. */
function fitOf(length: number, rows: number, head: number): number {
  const room = Math.max(1, rows - head)
  return length > room ? Math.max(1, room - 1) : room
}

/** The largest useful scroll offset of a page. */
export function maxOffset(length: number, rows: number, head: number): number {
  return Math.max(0, length - fitOf(length, rows, head))
}

/** The first body line shown for this selection or offset, `fit` lines at a time. */
function windowStart(length: number, fit: number, selected?: number, offset = 0): number {
  const last = Math.max(0, length - fit)
  if (selected !== undefined) return Math.min(last, Math.max(0, selected - fit + 1))
  return Math.min(last, Math.max(0, offset))
}

function line(l: Line, key: string, color: boolean, selected = false): ReactElement {
  const style = l.style
  return h(
    Text,
    {
      key,
      wrap: 'truncate',
      bold: style === 'title' || style === 'header',
      ...(color && (style === 'header' || style === 'note') ? { dimColor: true } : {}),
      ...(color && style === 'warn' ? { color: 'yellow' } : {}),
      ...(color && selected ? { inverse: true } : {}),
    },
    l.text,
  )
}

export function ListView(props: ListViewProps): ReactElement {
  const { head, body, selected, columns, rows, color } = props
  const fit = fitOf(body.length, rows, head.length)
  const start = windowStart(body.length, fit, selected, props.offset)
  const shown = body.slice(start, start + fit)
  const more = body.length - start - shown.length
  const mark = selected !== undefined
  return h(
    Box,
    { flexDirection: 'column', width: columns, height: rows, overflow: 'hidden' },
    ...head.map((l, i) => line(l, `h${i}`, color)),
    ...shown.map((l, i) => {
      const at = start + i
      const on = mark && at === selected
      return line({ ...l, text: mark ? `${on ? '>' : ' '}${l.text}` : l.text }, `b${at}`, color, on)
    }),
    more > 0 ? line({ text: `… ${more} more (↓/j)`, style: 'note' }, 'more', color) : null,
  )
}
