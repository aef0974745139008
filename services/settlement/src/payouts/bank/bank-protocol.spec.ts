import { createSign, generateKeyPairSync } from 'node:crypto';
import { privateKeyOf, publicKeyOf } from '@paylab/platform';
import {
  canonicalString,
  isSignedByBank,
  signedRequestHeaders,
  toQueryResult,
  verify,
} from './bank-protocol';
import { HttpBankClient } from './http-bank-client';

const bankPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const clientPair = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = {
  bankPrivate: bankPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  bankPublic: bankPair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  clientPrivate: clientPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};
const NONCE = 'abcdefghijklmnop0123';

function bankSigned(kind: string, subject: string, body: string, at: Date) {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = createSign('RSA-SHA256')
    .update(canonicalString(kind, subject, timestamp, NONCE, body), 'utf8')
    .sign(pem.bankPrivate, 'base64');
  return { 'x-bank-timestamp': timestamp, 'x-bank-nonce': NONCE, 'x-bank-signature': signature };
}

describe('bank protocol (client side)', () => {
  it('signs a request over method, path and query, timestamp, nonce and body', () => {
    const now = new Date('2024-11-20T02:00:00Z');
    const headers = signedRequestHeaders(
      'post',
      '/bank/v1/payouts',
      '{"a":1}',
      'PAYLAB',
      privateKeyOf(pem.clientPrivate),
      now,
      NONCE,
    );
    expect(headers).toMatchObject({
      'X-Bank-Client-Id': 'PAYLAB',
      'X-Bank-Timestamp': '1732068000',
      'X-Bank-Nonce': NONCE,
    });
    const message = `POST\n/bank/v1/payouts\n1732068000\n${NONCE}\n{"a":1}\n`;
    expect(verify(message, headers['X-Bank-Signature'], clientPair.publicKey)).toBe(true);
    expect(
      verify(
        message.replace('{"a":1}', '{"a":2}'),
        headers['X-Bank-Signature'],
        clientPair.publicKey,
      ),
    ).toBe(false);
  });

  it('reads keys as PEM or as the single-line base64 body of an env file', () => {
    const body = (text: string) => text.trim().split('\n').slice(1, -1).join('');
    expect(privateKeyOf(body(pem.clientPrivate)).asymmetricKeyType).toBe('rsa');
    expect(publicKeyOf(body(pem.bankPublic)).export({ type: 'spki', format: 'pem' })).toBe(
      pem.bankPublic,
    );
  });

  it('trusts a bank signature only in its role, for its subject, and (with a clock) when fresh', () => {
    const now = new Date('2024-11-20T02:00:00Z');
    const headers = bankSigned('RESPONSE', '/bank/v1/payouts/PO_1', '{}', now);
    const key = publicKeyOf(pem.bankPublic);
    expect(isSignedByBank('RESPONSE', '/bank/v1/payouts/PO_1', headers, '{}', key)).toBe(true);
    expect(isSignedByBank('NOTIFY', '/bank/v1/payouts/PO_1', headers, '{}', key)).toBe(false);
    expect(isSignedByBank('RESPONSE', '/bank/v1/payouts/PO_2', headers, '{}', key)).toBe(false);
    expect(isSignedByBank('RESPONSE', '/bank/v1/payouts/PO_1', headers, '{ }', key)).toBe(false);
    expect(isSignedByBank('RESPONSE', '/bank/v1/payouts/PO_1', {}, '{}', key)).toBe(false);
    const later = new Date(now.getTime() + 301_000);
    expect(isSignedByBank('RESPONSE', '/bank/v1/payouts/PO_1', headers, '{}', key, later)).toBe(
      false,
    );
  });

  it('distrusts a final payout that lacks its facts', () => {
    const base = {
      requestNo: 'PO_1',
      bankTxnNo: 'PLB1',
      amountMinor: 1,
      currency: 'CNY',
      failureMessage: null,
    };
    expect(
      toQueryResult({ ...base, status: 'SUCCEEDED', failureCode: null, finishedAt: null }),
    ).toBeNull();
    expect(
      toQueryResult({
        ...base,
        status: 'FAILED',
        failureCode: null,
        finishedAt: '2024-11-20T02:00:00Z',
      }),
    ).toBeNull();
    expect(
      toQueryResult({ ...base, status: 'PROCESSING', failureCode: null, finishedAt: null }),
    ).toEqual({
      status: 'PROCESSING',
      bankTxnNo: 'PLB1',
    });
  });
});

describe('HttpBankClient.verifyNotification', () => {
  const now = new Date('2024-11-20T02:00:00Z');
  const client = new HttpBankClient(
    {
      baseUrl: 'http://bank.invalid/bank',
      clientId: 'PAYLAB',
      clientPrivateKey: pem.clientPrivate,
      bankPublicKey: pem.bankPublic,
      payerAccountNo: '6222020000009999',
      notifyUrl: 'http://settlement.invalid/v1/bank/payout-notifications',
      requestTimeoutMs: 1_000,
    },
    () => now,
  );
  const notification = {
    notifyId: 'BN1',
    notifyType: 'PAYOUT_RESULT',
    requestNo: 'PO_1',
    bankTxnNo: 'PLB20241120000000000001',
    status: 'FAILED',
    amountMinor: 100,
    currency: 'CNY',
    failureCode: 'NAME_MISMATCH',
    failureMessage: '户名不符',
    finishedAt: '2024-11-20T01:59:59.000Z',
  };

  it('returns the result of a genuine notification', () => {
    const body = JSON.stringify(notification);
    expect(
      client.verifyNotification(bankSigned('NOTIFY', 'payout-result', body, now), body),
    ).toEqual({
      requestNo: 'PO_1',
      result: {
        status: 'FAILED',
        bankTxnNo: 'PLB20241120000000000001',
        failureCode: 'NAME_MISMATCH',
        failureMessage: '户名不符',
      },
    });
  });

  it.each([
    [
      'signed as a response',
      (body: string) => bankSigned('RESPONSE', 'payout-result', body, now),
      notification,
    ],
    [
      'stale',
      (body: string) =>
        bankSigned('NOTIFY', 'payout-result', body, new Date(now.getTime() - 600_000)),
      notification,
    ],
    ['unsigned', () => ({}), notification],
    [
      'still processing',
      (body: string) => bankSigned('NOTIFY', 'payout-result', body, now),
      { ...notification, status: 'PROCESSING' },
    ],
    [
      'a failure without its code',
      (body: string) => bankSigned('NOTIFY', 'payout-result', body, now),
      { ...notification, failureCode: null },
    ],
    [
      'an amount as a string',
      (body: string) => bankSigned('NOTIFY', 'payout-result', body, now),
      { ...notification, amountMinor: '100' },
    ],
  ])('refuses a notification %s', (_, headersOf, payload) => {
    const body = JSON.stringify(payload);
    expect(() => client.verifyNotification(headersOf(body), body)).toThrow(
      expect.objectContaining({ code: 'BANK.INVALID_NOTIFICATION' }),
    );
  });

  it('refuses a signed body that is not JSON', () => {
    const body = 'not json\u0000';
    expect(() =>
      client.verifyNotification(bankSigned('NOTIFY', 'payout-result', body, now), body),
    ).toThrow(expect.objectContaining({ code: 'BANK.INVALID_NOTIFICATION' }));
  });
});
