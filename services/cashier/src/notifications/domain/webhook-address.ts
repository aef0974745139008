import { isIP } from 'node:net';

/**
 * Where a merchant webhook may go (SSRF protection, 防止服务端请求伪造). The cashier POSTs to a URL
 * the merchant chose and shows what answered in the attempt log, so a URL pointing inside the
 * network (loopback, private ranges, link-local with the cloud metadata service at
 * 169.254.169.254, …) would let a merchant probe it. Such addresses are refused unless the
 * explicit allow-list (WEBHOOK_ALLOWED_HOSTS) names them. Pure: DNS happens in the adapter.
 */

interface Range {
  /** The network, as a BigInt of 32 (IPv4) or 128 (IPv6) bits. */
  network: bigint;
  prefix: number;
  bits: 32 | 128;
}

/** Why an address is not public, per range; the first match names the refusal. */
const SPECIAL_IPV4: Array<[cidr: string, label: string]> = [
  ['0.0.0.0/8', 'the "this network" range (0.0.0.0/8)'],
  ['10.0.0.0/8', 'a private address (10.0.0.0/8)'],
  ['100.64.0.0/10', 'a carrier-grade NAT address (100.64.0.0/10)'],
  ['127.0.0.0/8', 'a loopback address (127.0.0.0/8)'],
  ['169.254.0.0/16', 'a link-local address (169.254.0.0/16, includes cloud metadata)'],
  ['172.16.0.0/12', 'a private address (172.16.0.0/12)'],
  ['192.0.0.0/24', 'a reserved address (192.0.0.0/24)'],
  ['192.0.2.0/24', 'a documentation address (192.0.2.0/24)'],
  ['192.88.99.0/24', 'a reserved relay address (192.88.99.0/24)'],
  ['192.168.0.0/16', 'a private address (192.168.0.0/16)'],
  ['198.18.0.0/15', 'a benchmarking address (198.18.0.0/15)'],
  ['198.51.100.0/24', 'a documentation address (198.51.100.0/24)'],
  ['203.0.113.0/24', 'a documentation address (203.0.113.0/24)'],
  ['224.0.0.0/4', 'a multicast address (224.0.0.0/4)'],
  ['240.0.0.0/4', 'a reserved address (240.0.0.0/4, includes broadcast)'],
];
const SPECIAL_IPV6: Array<[cidr: string, label: string]> = [
  ['::/128', 'the unspecified address (::)'],
  ['::1/128', 'the loopback address (::1)'],
  ['100::/64', 'a discard-only address (100::/64)'],
  ['2001:db8::/32', 'a documentation address (2001:db8::/32)'],
  ['fc00::/7', 'a unique local address (fc00::/7)'],
  ['fe80::/10', 'a link-local address (fe80::/10)'],
  ['fec0::/10', 'a site-local address (fec0::/10)'],
  ['ff00::/8', 'a multicast address (ff00::/8)'],
];
/** IPv6 ranges that carry an IPv4 address in their last 32 bits: judged by that address. */
const EMBEDDING_IPV4: string[] = [
  '::ffff:0:0/96', // IPv4-mapped
  '::/96', // IPv4-compatible (deprecated)
  '64:ff9b::/96', // NAT64
];

export function parseIp(text: string): { value: bigint; bits: 32 | 128 } | undefined {
  const version = isIP(text);
  if (version === 4) {
    return {
      value: text.split('.').reduce((sum, part) => (sum << 8n) + BigInt(Number(part)), 0n),
      bits: 32,
    };
  }
  if (version !== 6) return undefined;
  let address = text.toLowerCase();
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  // A dotted IPv4 tail (::ffff:127.0.0.1) becomes two hextets.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    const v4 = parseIp(dotted[1])!.value;
    address =
      address.slice(0, -dotted[1].length) +
      `${((v4 >> 16n) & 0xffffn).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = address.split('::');
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headParts.length - tailParts.length;
  const parts = [
    ...headParts,
    ...Array<string>(tail === undefined ? 0 : missing).fill('0'),
    ...tailParts,
  ];
  return {
    value: parts.reduce((sum, part) => (sum << 16n) + BigInt(parseInt(part, 16)), 0n),
    bits: 128,
  };
}

/** `10.0.0.0/8`, `fc00::/7`, or a single address (a /32 or /128). Undefined when malformed. */
export function parseCidr(text: string): Range | undefined {
  const [address, prefixText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const ip = parseIp(address);
  if (!ip) return undefined;
  const prefix = prefixText === undefined ? ip.bits : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? '0') || prefix > ip.bits) return undefined;
  return { network: ip.value & mask(prefix, ip.bits), prefix, bits: ip.bits };
}

function mask(prefix: number, bits: 32 | 128): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return (all >> BigInt(bits - prefix)) << BigInt(bits - prefix);
}

function contains(range: Range, ip: { value: bigint; bits: 32 | 128 }): boolean {
  return range.bits === ip.bits && (ip.value & mask(range.prefix, ip.bits)) === range.network;
}

const ranges = (list: Array<[string, string]>) =>
  list.map(([cidr, label]) => ({ range: parseCidr(cidr)!, label }));
const SPECIAL_V4 = ranges(SPECIAL_IPV4);
const SPECIAL_V6 = ranges(SPECIAL_IPV6);
const EMBEDDING = EMBEDDING_IPV4.map((cidr) => parseCidr(cidr)!);

/**
 * Why `address` (an IP literal) is not a public unicast address, or undefined when it is.
 * IPv4 inside IPv6 (mapped, compatible, NAT64) is judged as the IPv4 address it carries.
 */
export function nonPublicReason(address: string): string | undefined {
  const ip = parseIp(address);
  if (!ip) return 'not an IP address';
  return reasonFor(ip);
}

function reasonFor(ip: { value: bigint; bits: 32 | 128 }): string | undefined {
  if (ip.bits === 32) return SPECIAL_V4.find(({ range }) => contains(range, ip))?.label;
  if (EMBEDDING.some((range) => contains(range, ip)) && ip.value > 1n) {
    const embedded = reasonFor({ value: ip.value & 0xffffffffn, bits: 32 });
    return embedded ? `${embedded} inside IPv6` : undefined;
  }
  return SPECIAL_V6.find(({ range }) => contains(range, ip))?.label;
}

/**
 * WEBHOOK_ALLOWED_HOSTS: host names (exact, case-insensitive), IP addresses and CIDR ranges that
 * webhooks may reach although they are not public. A named host is allowed whatever it resolves
 * to; otherwise every address it resolves to must be public or inside a listed IP or range.
 */
export class WebhookAllowList {
  private constructor(
    private readonly hosts: ReadonlySet<string>,
    private readonly ranges: readonly Range[],
  ) {}

  static parse(value: string): WebhookAllowList {
    const hosts = new Set<string>();
    const listed: Range[] = [];
    for (const raw of value.split(',')) {
      const entry = raw
        .trim()
        .toLowerCase()
        .replace(/^\[(.*)\]$/, '$1');
      if (entry === '') continue;
      const range = parseCidr(entry);
      if (range) listed.push(range);
      else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(entry)) {
        hosts.add(entry);
      } else {
        throw new Error(`"${raw.trim()}" is neither a host name, an IP address nor a CIDR range`);
      }
    }
    return new WebhookAllowList(hosts, listed);
  }

  static readonly NONE = WebhookAllowList.parse('');

  allowsHost(hostname: string): boolean {
    return this.hosts.has(normaliseHost(hostname));
  }

  allowsAddress(address: string): boolean {
    const ip = parseIp(address);
    return ip !== undefined && this.ranges.some((range) => contains(range, ip));
  }
}

/** `[::1]` (URL.hostname of an IPv6 literal) → `::1`; host names lower-case, no trailing dot. */
export function normaliseHost(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * The verdict on a webhook host and the addresses it resolved to (all of them: a host with one
 * internal A record among public ones is refused, or a connection could land on it).
 */
export function judgeWebhookAddresses(
  hostname: string,
  addresses: readonly string[],
  allowList: WebhookAllowList,
): AddressVerdict {
  if (allowList.allowsHost(hostname)) return { allowed: true };
  if (addresses.length === 0) return { allowed: false, reason: `${hostname} has no address` };
  for (const address of addresses) {
    const reason = nonPublicReason(address);
    if (reason && !allowList.allowsAddress(address)) {
      const host = normaliseHost(hostname);
      const shown = host === address ? address : `${host} resolves to ${address}`;
      return {
        allowed: false,
        reason: `${shown}: ${reason}, and WEBHOOK_ALLOWED_HOSTS does not list it`,
      };
    }
  }
  return { allowed: true };
}
