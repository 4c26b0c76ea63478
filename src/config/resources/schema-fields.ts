// Field builders shared by the resource schemas: ports, int32/uint32, Go durations, string lists
// and maps, percentages, and the opaque mappings meshsim accepts without looking inside.

import { z } from 'zod'

export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
/** Go's time.ParseDuration syntax, which Istio's CRDs accept: 10s, 500ms, 1m30s, 0.5s. */
export const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+)$/

export const port = (what: string) =>
  z
    .int(`${what} must be a whole number`)
    .min(1, `${what} must be 1 to 65535`)
    .max(65535, `${what} must be 1 to 65535`)

export const int32 = (what: string) =>
  z
    .int(`${what} must be a whole number`)
    .min(-2147483648, `${what} is too large`)
    .max(2147483647, `${what} is too large`)

export const uint32 = (what: string) =>
  z
    .int(`${what} must be a whole number`)
    .min(0, `${what} must be 0 or more`)
    .max(4294967295, `${what} is too large`)

export const duration = (what: string) =>
  z.string().regex(GO_DURATION, `${what} is a duration such as 10s, 500ms or 1m30s`)

export const strings = (what: string) => z.array(z.string(`each ${what} is a string`))
export const stringMap = (what: string) =>
  z.record(z.string(), z.string(`${what} values are strings`))
export const percent = z.strictObject({ value: z.number('percentage.value must be a number') })
/** A part of the API meshsim accepts as written without looking inside. */
export const opaque = (what: string) => z.record(z.string(), z.unknown()).describe(what)
