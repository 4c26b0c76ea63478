// istioctl's output: the message line (with the cluster when several are analyzed, the file line
// without the column, the level coloured on a terminal), the closing lines, and -o json|yaml.

import { describe, expect, test } from 'vitest'
import {
  type AnalysisMessage,
  formatJson,
  formatLine,
  formatYaml,
  issuesFoundLines,
  noIssuesLine,
  targetOf,
} from '../../../src/analysis/index.ts'

const message: AnalysisMessage = {
  level: 'Error',
  code: 'IST0101',
  resource: {
    kind: 'VirtualService',
    namespace: 'sample',
    name: 'helloworld',
    cluster: 'cluster1',
  },
  message: 'Referenced host+subset in destinationrule not found: "helloworld+v3"',
  origin: 'examples/mesh.yaml:38:29',
  documentationUrl: 'https://istio.io/latest/docs/reference/config/analysis/ist0101/',
}
const plain = { printCluster: false, color: false }

describe('the message line', () => {
  test('<Level> [<Code>] (<Kind> <ns>/<name> <file>:<line>) <message>', () => {
    expect(formatLine(message, plain)).toBe(
      'Error [IST0101] (VirtualService sample/helloworld examples/mesh.yaml:38) Referenced host+subset in destinationrule not found: "helloworld+v3"',
    )
  })

  test('without a file, and for a cluster-scoped resource', () => {
    const { origin: _, ...live } = message
    expect(formatLine(live, plain)).toBe(
      'Error [IST0101] (VirtualService sample/helloworld) Referenced host+subset in destinationrule not found: "helloworld+v3"',
    )
    const ns: AnalysisMessage = {
      ...live,
      level: 'Info',
      code: 'IST0102',
      resource: { kind: 'Namespace', namespace: '', name: 'plain', cluster: 'cluster1' },
      message: 'm',
    }
    expect(formatLine(ns, plain)).toBe('Info [IST0102] (Namespace plain) m')
  })

  test('[cluster-<name>] after the code when several clusters are analyzed', () => {
    expect(formatLine(message, { printCluster: true, color: false })).toMatch(
      /^Error \[IST0101\] \[cluster-cluster1\] \(VirtualService sample\/helloworld /,
    )
  })

  test('coloured as istioctl colours it: Error bold red, Warning yellow, Info plain', () => {
    const color = { printCluster: false, color: true }
    const ESC = '\x1b'
    expect(formatLine(message, color).startsWith(`${ESC}[1;31mError${ESC}[0m [IST0101]`)).toBe(true)
    expect(
      formatLine({ ...message, level: 'Warning' }, color).startsWith(`${ESC}[33mWarning${ESC}[0m `),
    ).toBe(true)
    expect(formatLine({ ...message, level: 'Info' }, color)).toMatch(/^Info \[IST0101\]/)
  })
})

test('the closing lines', () => {
  expect(noIssuesLine(targetOf('sample'))).toBe(
    '✔ No validation issues found when analyzing namespace: sample.',
  )
  expect(noIssuesLine(targetOf(undefined))).toBe(
    '✔ No validation issues found when analyzing all namespaces.',
  )
  expect(issuesFoundLines(targetOf('sample'))).toBe(
    'Error: Analyzers found issues when analyzing namespace: sample.\nSee https://istio.io/latest/docs/reference/config/analysis for more information about causes and resolutions.',
  )
})

test('-o json and -o yaml list the messages as data', () => {
  expect(JSON.parse(formatJson([message]))).toEqual([message])
  expect(formatYaml([message])).toContain(
    `  message: 'Referenced host+subset in destinationrule not found: "helloworld+v3"'\n  origin: examples/mesh.yaml:38:29\n`,
  )
  expect(formatYaml([])).toBe('[]\n')
})
