// ASN.1 building blocks on @peculiar/asn1-x509 schema classes: names, extensions, and
// pre-encoded values that let per-issuer constants be serialized once.

import type { X509Certificate } from 'node:crypto'
import { AsnConvert, OctetString } from '@peculiar/asn1-schema'
import {
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  GeneralName,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  id_kp_serverAuth,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509'

interface DerWriter {
  write(buf: ArrayBuffer): void
}

/**
 * DER from an earlier AsnConvert.serialize, spliced as-is into a later one (asn1-schema calls
 * `toASN()` on convertible objects, asn1js then `toBER(sizeOnly, writer)`). Typed as the value it replaces.
 */
export function preEncoded<T>(der: ArrayBuffer | Uint8Array): T {
  const bytes = der instanceof Uint8Array ? der : new Uint8Array(der)
  const buf = bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  ) as ArrayBuffer
  const block = {
    toBER(_sizeOnly?: boolean, writer?: DerWriter): ArrayBuffer {
      if (writer) {
        writer.write(buf)
        return new ArrayBuffer(0)
      }
      return buf
    },
  }
  return {
    toASN: () => block,
    fromASN: () => {
      throw new Error('a pre-encoded value is write-only')
    },
  } as T
}

/** Serializes an asn1-schema value once and returns it pre-encoded. */
export function encodeOnce<T>(value: T): T {
  return preEncoded<T>(AsnConvert.serialize(value))
}

export const NAME_ATTRIBUTES = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
} as const
export type NameAttribute = keyof typeof NAME_ATTRIBUTES
/** A distinguished name in order, e.g. `[['O', 'Istio'], ['CN', 'Root CA']]`. */
export type NameSpec = readonly (readonly [NameAttribute, string])[]

/** Builds a Name; strings are UTF8String, as OpenSSL writes them (country is PrintableString). */
export function buildName(spec: NameSpec): Name {
  return new Name(
    spec.map(
      ([attr, value]) =>
        new RelativeDistinguishedName([
          new AttributeTypeAndValue({
            type: NAME_ATTRIBUTES[attr],
            value: new AttributeValue(
              attr === 'C' ? { printableString: value } : { utf8String: value },
            ),
          }),
        ]),
    ),
  )
}

export const KEY_USAGES = {
  digitalSignature: KeyUsageFlags.digitalSignature,
  nonRepudiation: KeyUsageFlags.nonRepudiation,
  keyEncipherment: KeyUsageFlags.keyEncipherment,
  dataEncipherment: KeyUsageFlags.dataEncipherment,
  keyAgreement: KeyUsageFlags.keyAgreement,
  keyCertSign: KeyUsageFlags.keyCertSign,
  cRLSign: KeyUsageFlags.cRLSign,
} as const
export type KeyUsageName = keyof typeof KEY_USAGES

export const EXT_KEY_USAGES = {
  serverAuth: id_kp_serverAuth,
  clientAuth: id_kp_clientAuth,
} as const
export type ExtKeyUsageName = keyof typeof EXT_KEY_USAGES

function extension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({
    extnID,
    critical,
    extnValue: new OctetString(AsnConvert.serialize(value)),
  })
}

export function basicConstraintsExt(ca: boolean, pathLen?: number, critical = true): Extension {
  const bc = new BasicConstraints({ cA: ca })
  if (pathLen !== undefined) bc.pathLenConstraint = pathLen
  return extension(id_ce_basicConstraints, critical, bc)
}

export function keyUsageExt(usages: readonly KeyUsageName[], critical = true): Extension {
  const flags = usages.reduce((acc, u) => acc | KEY_USAGES[u], 0)
  return extension(id_ce_keyUsage, critical, new KeyUsage(flags))
}

export function extKeyUsageExt(usages: readonly ExtKeyUsageName[]): Extension {
  return extension(
    id_ce_extKeyUsage,
    false,
    new ExtendedKeyUsage(usages.map((u) => EXT_KEY_USAGES[u])),
  )
}

export function subjectAltNameExt(
  names: { readonly uris?: readonly string[]; readonly dnsNames?: readonly string[] },
  critical: boolean,
): Extension {
  const general = [
    ...(names.dnsNames ?? []).map((dNSName) => new GeneralName({ dNSName })),
    ...(names.uris ?? []).map(
      (uniformResourceIdentifier) => new GeneralName({ uniformResourceIdentifier }),
    ),
  ]
  return extension(id_ce_subjectAltName, critical, new SubjectAlternativeName(general))
}

export function subjectKeyIdExt(keyId: Uint8Array): Extension {
  return extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId))
}

export function authorityKeyIdExt(keyId: Uint8Array): Extension {
  return extension(
    id_ce_authorityKeyIdentifier,
    false,
    new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId) }),
  )
}

/** What meshsim reads back from a certificate's extensions. */
export interface CertificateFacts {
  readonly subjectName: Name
  readonly basicConstraints?: {
    readonly ca: boolean
    readonly pathLen?: number
    readonly critical: boolean
  }
  readonly keyUsage?: { readonly usages: ReadonlySet<KeyUsageName>; readonly critical: boolean }
  readonly extKeyUsage?: readonly string[]
  readonly subjectAltName?: {
    readonly uris: readonly string[]
    readonly dnsNames: readonly string[]
    /** SAN entries of other kinds (IP, email, ...). */
    readonly others: number
    readonly critical: boolean
  }
  readonly subjectKeyId?: Uint8Array
  readonly authorityKeyId?: Uint8Array
}

const factsCache = new WeakMap<X509Certificate, CertificateFacts>()

/** Parses the extensions meshsim checks (cached per certificate object). */
export function certificateFacts(cert: X509Certificate): CertificateFacts {
  const cached = factsCache.get(cert)
  if (cached) return cached
  const parsed = AsnConvert.parse(cert.raw, Certificate)
  const facts: {
    -readonly [K in keyof CertificateFacts]: CertificateFacts[K]
  } = { subjectName: parsed.tbsCertificate.subject }
  for (const ext of parsed.tbsCertificate.extensions ?? []) {
    const value = ext.extnValue.buffer
    switch (ext.extnID) {
      case id_ce_basicConstraints: {
        const bc = AsnConvert.parse(value, BasicConstraints)
        facts.basicConstraints = {
          ca: bc.cA,
          critical: ext.critical,
          ...(bc.pathLenConstraint === undefined ? {} : { pathLen: bc.pathLenConstraint }),
        }
        break
      }
      case id_ce_keyUsage: {
        const ku = AsnConvert.parse(value, KeyUsage).toNumber()
        const usages = new Set<KeyUsageName>()
        for (const [name, flag] of Object.entries(KEY_USAGES)) {
          if (ku & flag) usages.add(name as KeyUsageName)
        }
        facts.keyUsage = { usages, critical: ext.critical }
        break
      }
      case id_ce_extKeyUsage:
        facts.extKeyUsage = [...AsnConvert.parse(value, ExtendedKeyUsage)]
        break
      case id_ce_subjectAltName: {
        const san = AsnConvert.parse(value, SubjectAlternativeName)
        const uris: string[] = []
        const dnsNames: string[] = []
        let others = 0
        for (const n of san) {
          if (n.uniformResourceIdentifier !== undefined) uris.push(n.uniformResourceIdentifier)
          else if (n.dNSName !== undefined) dnsNames.push(n.dNSName)
          else others++
        }
        facts.subjectAltName = { uris, dnsNames, others, critical: ext.critical }
        break
      }
      case id_ce_subjectKeyIdentifier:
        facts.subjectKeyId = new Uint8Array(AsnConvert.parse(value, SubjectKeyIdentifier).buffer)
        break
      case id_ce_authorityKeyIdentifier: {
        const aki = AsnConvert.parse(value, AuthorityKeyIdentifier)
        if (aki.keyIdentifier) facts.authorityKeyId = new Uint8Array(aki.keyIdentifier.buffer)
        break
      }
    }
  }
  factsCache.set(cert, facts)
  return facts
}

/** The value of the first attribute `attr` (e.g. 'L') of a certificate's subject, if any. */
export function subjectAttribute(cert: X509Certificate, attr: NameAttribute): string | undefined {
  for (const rdn of certificateFacts(cert).subjectName) {
    for (const atv of rdn) {
      if (atv.type === NAME_ATTRIBUTES[attr]) return atv.value.toString()
    }
  }
  return undefined
}
