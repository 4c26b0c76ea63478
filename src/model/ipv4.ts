// IPv4 addresses as unsigned 32-bit numbers, for CIDR arithmetic in config and address
// allocation in runtime.

export function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0)
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.')
}

/** Whether `s` is a dotted-quad IPv4 address (each part 0 to 255, no leading zeros). */
export function isIPv4Address(s: string): boolean {
  const parts = s.split('.')
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)
}
