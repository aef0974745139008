import { randomBytes } from 'node:crypto';
import { buildAuthorizationHeader } from '../../../services/cashier/src/merchant-auth/domain/request-signature';

/** An app's credentials for the merchant Open API: its id and the secret it signs with. */
export interface MerchantCredentials {
  appId: string;
  secret: string;
}

export interface MerchantRequest {
  method: 'GET' | 'POST';
  /** The path without query, e.g. `/v1/payments`. */
  path: string;
  /** Sent as `?name=value&…` and signed as the same pairs. */
  query?: Record<string, string>;
  /** The raw body bytes, sent and signed exactly as given; '' or absent for no body. */
  body?: string;
  idempotencyKey?: string;
  /** Defaults to now. */
  timestamp?: number;
  /** Defaults to a fresh random nonce. */
  nonce?: string;
  /** Sign these parts instead of what is sent (to test tampering). */
  signAs?: { path?: string; query?: Record<string, string>; body?: string };
  /** Replaces the computed Authorization header; null sends none. */
  authorization?: string | null;
}

/** A request ready to go, signature included; sending it twice replays the same nonce. */
export interface PreparedRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, or undefined when it was not JSON. */
  json: unknown;
}

/** 32 characters of [0-9a-f]: inside the 16-64 [A-Za-z0-9] the signature scheme allows. */
export function randomNonce(): string {
  return randomBytes(16).toString('hex');
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Signs and sends requests as one app of one merchant, the way a merchant's SDK would. */
export class MerchantApiClient {
  constructor(
    readonly baseUrl: string,
    readonly credentials: MerchantCredentials,
  ) {}

  prepare(request: MerchantRequest): PreparedRequest {
    const body = request.body ?? '';
    const search = request.query ? new URLSearchParams(request.query).toString() : '';
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== '') headers['content-type'] = 'application/json';
    if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
    const authorization =
      request.authorization !== undefined
        ? request.authorization
        : buildAuthorizationHeader(
            this.credentials.appId,
            this.credentials.secret,
            {
              method: request.method,
              path: request.signAs?.path ?? request.path,
              query: request.signAs?.query ?? request.query ?? '',
              body: request.signAs?.body ?? body,
            },
            request.timestamp ?? nowSeconds(),
            request.nonce ?? randomNonce(),
          );
    if (authorization !== null) headers.authorization = authorization;
    return {
      method: request.method,
      url: `${this.baseUrl}${request.path}${search === '' ? '' : `?${search}`}`,
      headers,
      ...(body === '' ? {} : { body }),
    };
  }

  request(request: MerchantRequest): Promise<ApiResponse> {
    return send(this.prepare(request));
  }

  createPayment(body: unknown, idempotencyKey: string): Promise<ApiResponse> {
    return this.request({
      method: 'POST',
      path: '/v1/payments',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      idempotencyKey,
    });
  }

  getPayment(id: string): Promise<ApiResponse> {
    return this.request({ method: 'GET', path: `/v1/payments/${id}` });
  }

  findPayment(merchantOrderNo: string): Promise<ApiResponse> {
    return this.request({ method: 'GET', path: '/v1/payments', query: { merchantOrderNo } });
  }

  closePayment(id: string, body = ''): Promise<ApiResponse> {
    return this.request({ method: 'POST', path: `/v1/payments/${id}/close`, body });
  }
}

export async function send(prepared: PreparedRequest): Promise<ApiResponse> {
  const response = await fetch(prepared.url, {
    method: prepared.method,
    headers: prepared.headers,
    body: prepared.body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
