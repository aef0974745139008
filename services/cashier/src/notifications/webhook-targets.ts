import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@paylab/errors';
import {
  judgeWebhookAddresses,
  normaliseHost,
  WebhookAllowList,
  type AddressVerdict,
} from './domain/webhook-address';

export const WEBHOOK_ALLOW_LIST = Symbol('WEBHOOK_ALLOW_LIST');

/** A checked destination: connect to exactly this address, never resolve the name again. */
export interface PinnedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

export type DeliveryTarget =
  { allowed: true; target: PinnedTarget } | { allowed: false; reason: string };

/**
 * Resolves a webhook URL and applies the address policy (domain/webhook-address.ts): once when a
 * merchant sets it, and again before every delivery, because DNS may answer differently later.
 * The delivery then connects to the checked address itself, so a second lookup between check
 * and connect (DNS rebinding) cannot swap in an internal one.
 */
@Injectable()
export class WebhookTargets {
  constructor(@Inject(WEBHOOK_ALLOW_LIST) private readonly allowList: WebhookAllowList) {}

  /**
   * At create: refuse a URL that resolves (or is) somewhere webhooks may not go. A name that does
   * not resolve right now is accepted: delivery checks again and fails (and retries) if it still
   * does not.
   */
  async assertAllowed(rawUrl: string | undefined, param: string): Promise<void> {
    // Malformed URLs are the domain's to report (PAYMENT.INVALID_URL); this judges destinations.
    const url = URL.canParse(rawUrl ?? '') ? new URL(rawUrl!) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return;
    let addresses: string[];
    try {
      addresses = await this.resolve(url);
    } catch {
      return;
    }
    const verdict = judgeWebhookAddresses(url.hostname, addresses, this.allowList);
    if (!verdict.allowed) {
      throw new DomainError(
        'PAYMENT.WEBHOOK_URL_NOT_ALLOWED',
        `${param} may not point at ${verdict.reason}.`,
        param,
      );
    }
  }

  /** Before a delivery: the address to connect to, or why not. A lookup failure throws. */
  async forDelivery(rawUrl: string): Promise<DeliveryTarget> {
    const url = new URL(rawUrl);
    const addresses = await this.resolve(url);
    const verdict: AddressVerdict = judgeWebhookAddresses(url.hostname, addresses, this.allowList);
    if (!verdict.allowed) return verdict;
    const address = addresses[0];
    return { allowed: true, target: { url, address, family: isIP(address) === 6 ? 6 : 4 } };
  }

  private async resolve(url: URL): Promise<string[]> {
    const host = normaliseHost(url.hostname);
    if (isIP(host)) return [host];
    const answers = await lookup(host, { all: true, verbatim: true });
    return answers.map((answer) => answer.address);
  }
}

export interface PinnedPostResult {
  status: number;
}

/**
 * POSTs `body` to a pinned target: TLS still verifies the certificate against the URL's host
 * name (SNI and Host header unchanged), only the TCP connection goes to the checked address.
 * Redirects are not followed (not an acknowledgement, and they could be steered anywhere); the
 * answer's body is discarded unread.
 */
export function postPinned(
  target: PinnedTarget,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PinnedPostResult> {
  const pinnedLookup: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as (error: null, addresses: Array<{ address: string; family: number }>) => void)(
        null,
        [{ address: target.address, family: target.family }],
      );
    } else {
      callback(null, target.address, target.family);
    }
  };
  const transport = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      target.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup,
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        response.on('error', () => undefined); // the timeout may cut the unread rest off
        response.resume();
        resolve({ status: response.statusCode ?? 0 });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
