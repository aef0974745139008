import {
  judgeWebhookAddresses,
  nonPublicReason,
  parseCidr,
  parseIp,
  WebhookAllowList,
} from './webhook-address';

describe('nonPublicReason (the address classifier)', () => {
  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255', // just below CGNAT
    '100.128.0.0', // just above CGNAT
    '172.15.255.255', // just below 172.16/12
    '172.32.0.0', // just above it
    '169.253.255.255',
    '223.255.255.255',
    '2001:4860:4860::8888',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8', // IPv4-mapped public address
    '64:ff9b::808:808', // NAT64 of 8.8.8.8
  ])('lets the public address %s through', (address) => {
    expect(nonPublicReason(address)).toBeUndefined();
  });

  it.each([
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['10.0.0.1', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.10', /private/],
    ['169.254.169.254', /link-local.*metadata/],
    ['169.254.0.1', /link-local/],
    ['0.0.0.0', /this network/],
    ['0.1.2.3', /this network/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['255.255.255.255', /reserved/],
    ['240.0.0.1', /reserved/],
    ['192.0.2.1', /documentation/],
    ['198.18.0.1', /benchmarking/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['fc00::1', /unique local/],
    ['fd12:3456:789a::1', /unique local/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['febf:ffff::1', /link-local/],
    ['ff02::1', /multicast/],
    ['2001:db8::1', /documentation/],
    // IPv4 inside IPv6 is judged as the IPv4 address it carries.
    ['::ffff:127.0.0.1', /loopback.*inside IPv6/],
    ['::ffff:7f00:1', /loopback.*inside IPv6/],
    ['::ffff:169.254.169.254', /link-local.*inside IPv6/],
    ['::ffff:a9fe:a9fe', /link-local.*inside IPv6/],
    ['::ffff:10.0.0.1', /private.*inside IPv6/],
    ['::127.0.0.1', /loopback.*inside IPv6/],
    ['64:ff9b::a9fe:a9fe', /link-local.*inside IPv6/],
  ])('refuses %s', (address, reason) => {
    expect(nonPublicReason(address)).toMatch(reason);
  });

  it('refuses what is not an IP address at all', () => {
    expect(nonPublicReason('example.com')).toBe('not an IP address');
    expect(nonPublicReason('256.0.0.1')).toBe('not an IP address');
  });
});

describe('parseIp and parseCidr', () => {
  it('expands IPv6 shorthand and dotted tails alike', () => {
    expect(parseIp('::ffff:127.0.0.1')).toEqual(parseIp('0:0:0:0:0:ffff:7f00:0001'));
    expect(parseIp('1::')).toEqual({ value: 1n << 112n, bits: 128 });
  });

  it.each(['10.0.0.0/33', '10.0.0.0/8/1', 'fc00::/129', 'nonsense/8', '10.0.0.0/-1', '10.0.0.0/'])(
    'refuses the malformed range %s',
    (cidr) => expect(parseCidr(cidr)).toBeUndefined(),
  );
});

describe('WebhookAllowList and judgeWebhookAddresses', () => {
  const allowList = WebhookAllowList.parse(
    ' webhook-receiver , 127.0.0.1, 10.20.0.0/16, [fd00::5] ',
  );

  it('allows a listed host name whatever it resolves to', () => {
    expect(judgeWebhookAddresses('Webhook-Receiver', ['172.18.0.7'], allowList)).toEqual({
      allowed: true,
    });
    expect(judgeWebhookAddresses('webhook-receiver.', ['172.18.0.7'], allowList).allowed).toBe(
      true,
    );
  });

  it('allows listed addresses and ranges, nothing next to them', () => {
    expect(judgeWebhookAddresses('127.0.0.1', ['127.0.0.1'], allowList).allowed).toBe(true);
    expect(judgeWebhookAddresses('hooks.lab', ['10.20.3.4'], allowList).allowed).toBe(true);
    expect(judgeWebhookAddresses('[fd00::5]', ['fd00::5'], allowList).allowed).toBe(true);
    expect(judgeWebhookAddresses('127.0.0.2', ['127.0.0.2'], allowList)).toEqual({
      allowed: false,
      reason:
        '127.0.0.2: a loopback address (127.0.0.0/8), and WEBHOOK_ALLOWED_HOSTS does not list it',
    });
    expect(judgeWebhookAddresses('hooks.lab', ['10.21.0.1'], allowList).allowed).toBe(false);
  });

  it('refuses a name when any of its addresses is internal (no lucky pick at connect time)', () => {
    const verdict = judgeWebhookAddresses(
      'shop.example',
      ['93.184.216.34', '169.254.169.254'],
      WebhookAllowList.NONE,
    );
    expect(verdict).toEqual({
      allowed: false,
      reason: expect.stringContaining('shop.example resolves to 169.254.169.254: a link-local'),
    });
  });

  it('allows public destinations with an empty list, and refuses a name without addresses', () => {
    expect(
      judgeWebhookAddresses(
        'shop.example',
        ['93.184.216.34', '2606:2800::1'],
        WebhookAllowList.NONE,
      ).allowed,
    ).toBe(true);
    expect(judgeWebhookAddresses('shop.example', [], WebhookAllowList.NONE).allowed).toBe(false);
  });

  it.each(['http://webhook-receiver', 'under_score', 'a..b', '10.0.0.0/40'])(
    'refuses the entry %s at start-up',
    (entry) => expect(() => WebhookAllowList.parse(entry)).toThrow(/neither a host name/),
  );
});
