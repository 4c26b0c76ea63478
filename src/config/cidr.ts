// IPv4 CIDR arithmetic for validation: containment, overlap and size, on top of node:net.

import { BlockList } from 'node:net'
import { intToIpv4, ipv4ToInt } from '../model/index.ts'

export interface Cidr {
  readonly base: string
  readonly prefix: number
}

export function parseCidr(s: string): Cidr {
  const [base = '', prefix = '32'] = s.split('/')
  return { base, prefix: Number(prefix) }
}

export function cidrContains(cidr: Cidr, address: string): boolean {
  const list = new BlockList()
  list.addSubnet(cidr.base, cidr.prefix, 'ipv4')
  return list.check(address, 'ipv4')
}

/** Two CIDRs overlap when either contains the other's first address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, firstAddress(b)) || cidrContains(b, firstAddress(a))
}

/** Number of addresses in the block. */
export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix)
}

function firstAddress(c: Cidr): string {
  const n = ipv4ToInt(c.base) & (c.prefix === 0 ? 0 : (0xffffffff << (32 - c.prefix)) >>> 0)
  return intToIpv4(n)
}
