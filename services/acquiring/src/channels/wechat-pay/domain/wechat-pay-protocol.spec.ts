import { createCipheriv, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Money } from '@paylab/money';
import { ChannelError, type RawCallbackRequest } from '../../channel-adapter';
import {
  decryptResource,
  descriptionOf,
  failureOf,
  matchesSha1,
  nativeOrderBody,
  isRefundNotExist,
  readCallback,
  readNotification,
  readTradeBillGrant,
  refundBody,
  refundRefusalOf,
  refundResultOfJson,
  snapshotOfQuery,
  tradeStateOf,
} from './wechat-pay-protocol';

const identity = { mchid: '1900000001', appid: 'wxd930ea5d5a258f4f' };
const API_V3_KEY = 'PayLabDemoApiV3Key0123456789abcd';
const SERIAL = 'B78DA4343CEB22389FAC6435F4EDD8C93DD77BA3';
const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keys = {
  platformSerial: SERIAL,
  platformPublicKey: platform.publicKey,
  apiV3Key: API_V3_KEY,
};
const NOW = new Date('2026-01-14T02:35:00Z');
const TS = String(Math.floor(NOW.getTime() / 1000));

const paidTransaction = {
  appid: identity.appid,
  mchid: identity.mchid,
  out_trade_no: 'pay_01JH0000000000000000000000',
  transaction_id: '4200000123202601141234567890',
  trade_type: 'NATIVE',
  trade_state: 'SUCCESS',
  success_time: '2026-01-14T10:34:56+08:00',
  amount: { total: 1234, payer_total: 1234, currency: 'CNY', payer_currency: 'CNY' },
};

function encrypt(plaintext: string, key = API_V3_KEY, nonce = 'abcdefghijkl', aad = 'transaction') {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(key), Buffer.from(nonce));
  cipher.setAAD(Buffer.from(aad));
  return Buffer.concat([
    cipher.update(plaintext, 'utf8'),
    cipher.final(),
    cipher.getAuthTag(),
  ]).toString('base64');
}

function bodyOf(transaction: object, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: 'c0ffee00-0000-4000-8000-000000000001',
    create_time: '2026-01-14T10:34:57+08:00',
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: encrypt(JSON.stringify(transaction)),
      associated_data: 'transaction',
      nonce: 'abcdefghijkl',
    },
    ...overrides,
  });
}

function signed(
  body: string,
  {
    key = platform.privateKey,
    ts = TS,
    serial = SERIAL,
  }: { key?: KeyObject; ts?: string; serial?: string } = {},
): RawCallbackRequest {
  const nonce = 'n0nce';
  const signature = createSign('RSA-SHA256')
    .update(`${ts}\n${nonce}\n${body}\n`)
    .sign(key, 'base64');
  return {
    contentType: 'application/json; charset=utf-8',
    headers: {
      'wechatpay-timestamp': ts,
      'wechatpay-nonce': nonce,
      'wechatpay-signature': signature,
      'wechatpay-serial': serial,
    },
    body: Buffer.from(body, 'utf8'),
  };
}

const codeOf = (work: () => unknown): string => {
  try {
    work();
  } catch (error) {
    if (error instanceof ChannelError) return error.code;
    throw error;
  }
  throw new Error('did not throw');
};

describe('WeChat Pay v3 protocol translation', () => {
  it('maps every trade_state, and nothing else', () => {
    expect(['NOTPAY', 'USERPAYING', 'PAYERROR'].map(tradeStateOf)).toEqual(
      Array(3).fill('PENDING'),
    );
    expect(['SUCCESS', 'REFUND'].map(tradeStateOf)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(['CLOSED', 'REVOKED'].map(tradeStateOf)).toEqual(['CLOSED', 'CLOSED']);
    for (const other of ['TRADE_SUCCESS', 'success', '', undefined, 1]) {
      expect(tradeStateOf(other)).toBeNull();
    }
  });

  it('builds the Native order: fen, Shanghai time_expire, description cut to 127 characters', () => {
    const body = nativeOrderBody(
      {
        outTradeNo: 'pay_01JH0000000000000000000000',
        amount: Money.of(1234, 'CNY'),
        subject: '茶'.repeat(200),
        expiresAt: new Date('2026-01-14T02:49:59.900Z'),
      },
      identity,
      'https://acq.example/callbacks/wechat-pay',
    );
    expect(body).toEqual({
      appid: identity.appid,
      mchid: identity.mchid,
      description: '茶'.repeat(127),
      out_trade_no: 'pay_01JH0000000000000000000000',
      time_expire: '2026-01-14T10:49:59+08:00',
      notify_url: 'https://acq.example/callbacks/wechat-pay',
      amount: { total: 1234, currency: 'CNY' },
    });
    // An emoji is two UTF-16 units but one character: never split.
    expect(descriptionOf('😀'.repeat(130))).toBe('😀'.repeat(127));
  });

  it('reads a query answer; refuses another merchant, another order, or a paid one without facts', () => {
    expect(snapshotOfQuery(paidTransaction, identity, paidTransaction.out_trade_no)).toEqual({
      exists: true,
      status: 'SUCCEEDED',
      channelTradeNo: paidTransaction.transaction_id,
      amount: Money.of(1234, 'CNY'),
      paidAt: new Date('2026-01-14T02:34:56Z'),
    });
    const unpaid = {
      appid: identity.appid,
      mchid: identity.mchid,
      out_trade_no: 'x1234567',
      trade_state: 'NOTPAY',
      amount: { total: 5, currency: 'CNY' },
    };
    expect(snapshotOfQuery(unpaid, identity, 'x1234567')).toMatchObject({
      status: 'PENDING',
      channelTradeNo: null,
      paidAt: null,
    });
    const no = paidTransaction.out_trade_no;
    for (const bad of [
      { ...paidTransaction, mchid: '1900000002' },
      { ...paidTransaction, appid: 'wx0000000000000000' },
      { ...paidTransaction, trade_state: 'PAID' },
      { ...paidTransaction, success_time: '2026-01-14 10:34:56' },
      { ...paidTransaction, transaction_id: undefined },
      { ...paidTransaction, amount: { total: 12.34, currency: 'CNY' } },
      { ...paidTransaction, amount: { total: 1234, currency: 'USD' } },
      'SUCCESS',
    ]) {
      expect(codeOf(() => snapshotOfQuery(bad, identity, no))).toBe('CHANNEL.INVALID_RESPONSE');
    }
    expect(codeOf(() => snapshotOfQuery(paidTransaction, identity, 'other_order'))).toBe(
      'CHANNEL.INVALID_RESPONSE',
    );
  });

  it('maps call failures to retryable, untrustworthy, conflicting or refused', () => {
    const code = (op: Parameters<typeof failureOf>[0], failure: Parameters<typeof failureOf>[1]) =>
      failureOf(op, failure).code;
    expect(code('query', { message: 'ECONNREFUSED' })).toBe('CHANNEL.UNAVAILABLE');
    expect(code('query', { status: 500, wechatCode: 'SYSTEM_ERROR', message: 'x' })).toBe(
      'CHANNEL.UNAVAILABLE',
    );
    expect(code('query', { status: 429, wechatCode: 'FREQUENCY_LIMITED', message: 'x' })).toBe(
      'CHANNEL.UNAVAILABLE',
    );
    expect(
      code('query', { status: 200, verifierCode: 'EV3_RES_HEADER_SIGNATURE_DIGEST', message: 'x' }),
    ).toBe('CHANNEL.INVALID_RESPONSE');
    expect(code('native', { status: 400, wechatCode: 'OUT_TRADE_NO_USED', message: 'x' })).toBe(
      'CHANNEL.ORDER_CONFLICT',
    );
    expect(code('close', { status: 400, wechatCode: 'ORDERPAID', message: 'x' })).toBe(
      'CHANNEL.TRADE_ALREADY_PAID',
    );
    expect(code('tradebill', { status: 400, wechatCode: 'NO_STATEMENT_EXIST', message: 'x' })).toBe(
      'STATEMENT.NOT_FOUND',
    );
    const refused = failureOf('native', {
      status: 400,
      wechatCode: 'PARAM_ERROR',
      message: 'amount.total',
    });
    expect(refused).toMatchObject({ code: 'CHANNEL.REJECTED', channelReason: 'PARAM_ERROR' });
  });
});

describe('WeChat Pay v3 payment notification', () => {
  it('verifies the signature over the raw body and decrypts the resource', () => {
    const notification = readNotification(signed(bodyOf(paidTransaction)), keys, identity, NOW);
    expect(notification).toEqual({
      notifyId: 'c0ffee00-0000-4000-8000-000000000001',
      outTradeNo: paidTransaction.out_trade_no,
      channelTradeNo: paidTransaction.transaction_id,
      status: 'SUCCEEDED',
      amount: Money.of(1234, 'CNY'),
      paidAt: new Date('2026-01-14T02:34:56Z'),
    });
  });

  it('refuses a body changed after signing, even by one space, and a foreign signer', () => {
    const body = bodyOf(paidTransaction);
    const request = signed(body);
    // Same JSON meaning, different bytes: the signature covers the bytes.
    const reformatted = {
      ...request,
      body: Buffer.from(JSON.stringify(JSON.parse(body), null, 1)),
    };
    expect(codeOf(() => readNotification(reformatted, keys, identity, NOW))).toBe(
      'CALLBACK.BAD_SIGNATURE',
    );
    expect(
      codeOf(() =>
        readNotification(signed(body, { key: stranger.privateKey }), keys, identity, NOW),
      ),
    ).toBe('CALLBACK.BAD_SIGNATURE');
    expect(
      codeOf(() => readNotification(signed(body, { serial: 'ABCDEF01' }), keys, identity, NOW)),
    ).toBe('CALLBACK.BAD_SIGNATURE');
    const headless = {
      ...request,
      headers: { ...request.headers, 'wechatpay-signature': undefined },
    };
    expect(codeOf(() => readNotification(headless, keys, identity, NOW))).toBe(
      'CALLBACK.BAD_SIGNATURE',
    );
    const form = { ...request, contentType: 'application/x-www-form-urlencoded' };
    expect(codeOf(() => readNotification(form, keys, identity, NOW))).toBe('CALLBACK.MALFORMED');
  });

  it('refuses a timestamp more than 300 s away, either side', () => {
    const body = bodyOf(paidTransaction);
    for (const offset of [-301, 301]) {
      const ts = String(Number(TS) + offset);
      expect(codeOf(() => readNotification(signed(body, { ts }), keys, identity, NOW))).toBe(
        'CALLBACK.STALE',
      );
    }
    for (const offset of [-300, 300]) {
      const ts = String(Number(TS) + offset);
      expect(readNotification(signed(body, { ts }), keys, identity, NOW).status).toBe('SUCCEEDED');
    }
  });

  it('refuses a signed notification whose resource does not authenticate with our APIv3 key', () => {
    const resource = JSON.parse(bodyOf(paidTransaction)).resource;
    const otherKey = {
      ...resource,
      ciphertext: encrypt(JSON.stringify(paidTransaction), 'X'.repeat(32)),
    };
    const bytes = Buffer.from(resource.ciphertext, 'base64');
    bytes[0] ^= 1;
    const flipped = { ...resource, ciphertext: bytes.toString('base64') };
    // Cut short: the last 16 bytes are taken as the tag, always (never a shorter tag).
    const truncated = {
      ...resource,
      ciphertext: Buffer.from(resource.ciphertext, 'base64').subarray(0, 16).toString('base64'),
    };
    const otherAad = { ...resource, associated_data: 'refund' };
    for (const bad of [otherKey, flipped, truncated, otherAad]) {
      const request = signed(bodyOf(paidTransaction, { resource: bad }));
      expect(codeOf(() => readNotification(request, keys, identity, NOW))).toBe(
        'CALLBACK.UNDECRYPTABLE',
      );
    }
  });

  it('refuses a decryptable resource for another merchant, or of the wrong shape', () => {
    const foreign = signed(bodyOf({ ...paidTransaction, mchid: '1900000002' }));
    expect(codeOf(() => readNotification(foreign, keys, identity, NOW))).toBe('CALLBACK.WRONG_APP');
    for (const body of [
      bodyOf({ ...paidTransaction, amount: { total: 0 } }),
      bodyOf(paidTransaction, { id: undefined }),
      bodyOf(paidTransaction, { event_type: 'REFUND.SUCCESS' }),
      bodyOf(paidTransaction, { resource: 'x' }),
      'not json',
    ]) {
      expect(codeOf(() => readNotification(signed(body), keys, identity, NOW))).toBe(
        'CALLBACK.MALFORMED',
      );
    }
  });

  it('decryptResource is the inverse of the channel encryption and insists on a 32-byte key', () => {
    expect(decryptResource(encrypt('{"a":1}'), API_V3_KEY, 'abcdefghijkl', 'transaction')).toBe(
      '{"a":1}',
    );
    expect(() => decryptResource(encrypt('x'), 'short', 'abcdefghijkl', 'transaction')).toThrow(
      RangeError,
    );
  });
});

describe('WeChat Pay v3 trade bill', () => {
  const grant = {
    hash_type: 'SHA1',
    hash_value: 'A94A8FE5CCB19BA61C4C0873D391E987982FBBD3',
    download_url: 'https://api.mch.weixin.qq.com/v3/billdownload/file?token=abc.def',
  };

  it('reads the grant and checks the file against its SHA1', () => {
    const read = readTradeBillGrant(grant);
    expect(read).toEqual({
      hashValue: grant.hash_value.toLowerCase(),
      params: { token: 'abc.def' },
    });
    expect(matchesSha1(Buffer.from('test'), read.hashValue)).toBe(true);
    expect(matchesSha1(Buffer.from('test '), read.hashValue)).toBe(false);
  });

  it('refuses a grant without SHA1 or pointing elsewhere', () => {
    for (const bad of [
      { ...grant, hash_type: 'MD5' },
      { ...grant, hash_value: 'abc' },
      { ...grant, download_url: 'https://evil.example/file?token=x' },
      { ...grant, download_url: 'https://api.mch.weixin.qq.com/v3/billdownload/file' },
      { ...grant, download_url: 'not a url' },
      null,
    ]) {
      expect(codeOf(() => readTradeBillGrant(bad))).toBe('CHANNEL.INVALID_RESPONSE');
    }
  });
});

describe('WeChat Pay refunds', () => {
  const refund = {
    mchid: identity.mchid,
    out_trade_no: paidTransaction.out_trade_no,
    transaction_id: paidTransaction.transaction_id,
    out_refund_no: 'ref_01JH0000000000000000000000',
    refund_id: '50300202601140000000000000001',
    refund_status: 'SUCCESS',
    success_time: '2026-01-14T10:40:00+08:00',
    user_received_account: '支付用户零钱',
    amount: { total: 1234, refund: 300, payer_total: 1234, payer_refund: 300 },
  };
  const refundNotice = (plain: object, eventType = 'REFUND.SUCCESS') =>
    JSON.stringify({
      id: 'c0ffee00-0000-4000-8000-000000000002',
      create_time: '2026-01-14T10:40:01+08:00',
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary: '退款成功',
      resource: {
        original_type: 'refund',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: encrypt(JSON.stringify(plain), API_V3_KEY, 'abcdefghijkl', 'refund'),
        associated_data: 'refund',
        nonce: 'abcdefghijkl',
      },
    });

  it('builds the refund body in fen with our out_refund_no', () => {
    expect(
      refundBody(
        {
          outTradeNo: 'pay_1',
          outRefundNo: 'ref_1',
          amount: Money.of(300, 'CNY'),
          total: Money.of(1234, 'CNY'),
          reason: 'x'.repeat(100),
        },
        'https://paylab.example/callbacks/wechat-pay',
      ),
    ).toEqual({
      out_trade_no: 'pay_1',
      out_refund_no: 'ref_1',
      reason: 'x'.repeat(80),
      notify_url: 'https://paylab.example/callbacks/wechat-pay',
      amount: { refund: 300, total: 1234, currency: 'CNY' },
    });
  });

  it('reads the refund answer: SUCCESS, PROCESSING, ABNORMAL/CLOSED, and refuses a bad one', () => {
    const answer = { ...refund, status: 'SUCCESS' };
    expect(refundResultOfJson(answer, refund.out_refund_no)).toEqual({
      status: 'SUCCEEDED',
      channelRefundNo: refund.refund_id,
      channelTradeNo: refund.transaction_id,
      refundedAt: new Date('2026-01-14T02:40:00Z'),
    });
    expect(
      refundResultOfJson({ ...answer, status: 'PROCESSING' }, refund.out_refund_no).status,
    ).toBe('PROCESSING');
    expect(
      refundResultOfJson({ ...answer, status: 'ABNORMAL' }, refund.out_refund_no),
    ).toMatchObject({ status: 'FAILED', failureCode: 'REFUND.ABNORMAL' });
    expect(refundResultOfJson({ ...answer, status: 'CLOSED' }, refund.out_refund_no)).toMatchObject(
      {
        status: 'FAILED',
        failureCode: 'REFUND.CLOSED',
      },
    );
    expect(
      codeOf(() => refundResultOfJson({ ...answer, status: 'WHAT' }, refund.out_refund_no)),
    ).toBe('CHANNEL.INVALID_RESPONSE');
    expect(codeOf(() => refundResultOfJson(answer, 'ref_other'))).toBe('CHANNEL.INVALID_RESPONSE');
    expect(
      codeOf(() =>
        refundResultOfJson({ ...answer, success_time: undefined }, refund.out_refund_no),
      ),
    ).toBe('CHANNEL.INVALID_RESPONSE');
  });

  it('tells a permanent refusal from a failure worth retrying', () => {
    expect(
      refundRefusalOf({ status: 400, wechatCode: 'INVALID_REQUEST', message: 'exceeds' }),
    ).toMatchObject({ status: 'FAILED', failureCode: 'INVALID_REQUEST' });
    expect(
      refundRefusalOf({ status: 403, wechatCode: 'NOT_ENOUGH', message: '余额不足' }),
    ).toMatchObject({
      failureCode: 'NOT_ENOUGH',
    });
    expect(
      refundRefusalOf({ status: 404, wechatCode: 'RESOURCE_NOT_EXISTS', message: '' }),
    ).toMatchObject({
      failureCode: 'RESOURCE_NOT_EXISTS',
    });
    for (const transient of [
      { status: 500, wechatCode: 'SYSTEM_ERROR', message: '' },
      { status: 429, wechatCode: 'FREQUENCY_LIMITED', message: '' },
      { status: 401, wechatCode: 'SIGN_ERROR', message: '' },
      { message: 'ECONNREFUSED' },
      { status: 200, verifierCode: 'EV3_RES_HEADER_SIGNATURE_DIGEST', message: '' },
    ]) {
      expect(refundRefusalOf(transient)).toBeNull();
    }
    expect(isRefundNotExist({ status: 404, wechatCode: 'RESOURCE_NOT_EXISTS', message: '' })).toBe(
      true,
    );
    expect(isRefundNotExist({ status: 500, wechatCode: 'SYSTEM_ERROR', message: '' })).toBe(false);
  });

  it('verifies, decrypts and reads a REFUND.SUCCESS notification on the shared notify_url', () => {
    expect(readCallback(signed(refundNotice(refund)), keys, identity, NOW)).toEqual({
      kind: 'REFUND',
      notifyId: 'c0ffee00-0000-4000-8000-000000000002',
      outTradeNo: refund.out_trade_no,
      outRefundNo: refund.out_refund_no,
      channelRefundNo: refund.refund_id,
      channelTradeNo: refund.transaction_id,
      status: 'SUCCEEDED',
      amount: Money.of(300, 'CNY'),
      refundedAt: new Date('2026-01-14T02:40:00Z'),
    });
    // A payment notification on the same URL still reads as a payment.
    expect(readCallback(signed(bodyOf(paidTransaction)), keys, identity, NOW)).toMatchObject({
      kind: 'PAYMENT',
      status: 'SUCCEEDED',
    });
  });

  it('reads REFUND.ABNORMAL and REFUND.CLOSED as failures', () => {
    const abnormal = { ...refund, refund_status: 'ABNORMAL', success_time: undefined };
    expect(
      readCallback(signed(refundNotice(abnormal, 'REFUND.ABNORMAL')), keys, identity, NOW),
    ).toMatchObject({ kind: 'REFUND', status: 'FAILED', failureCode: 'REFUND.ABNORMAL' });
    const closed = { ...refund, refund_status: 'CLOSED', success_time: undefined };
    expect(
      readCallback(signed(refundNotice(closed, 'REFUND.CLOSED')), keys, identity, NOW),
    ).toMatchObject({ kind: 'REFUND', status: 'FAILED', failureCode: 'REFUND.CLOSED' });
  });

  it('refuses a refund notification that cannot be trusted or does not add up', () => {
    expect(
      codeOf(() =>
        readCallback(
          signed(refundNotice(refund), { key: stranger.privateKey }),
          keys,
          identity,
          NOW,
        ),
      ),
    ).toBe('CALLBACK.BAD_SIGNATURE');
    expect(
      codeOf(() =>
        readCallback(signed(refundNotice(refund, 'REFUND.ABNORMAL')), keys, identity, NOW),
      ),
    ).toBe('CALLBACK.MALFORMED');
    expect(
      codeOf(() =>
        readCallback(signed(refundNotice({ ...refund, mchid: '1900000002' })), keys, identity, NOW),
      ),
    ).toBe('CALLBACK.WRONG_APP');
    expect(
      codeOf(() =>
        readCallback(
          signed(refundNotice({ ...refund, success_time: undefined })),
          keys,
          identity,
          NOW,
        ),
      ),
    ).toBe('CALLBACK.MALFORMED');
    expect(
      codeOf(() =>
        readCallback(
          signed(refundNotice({ ...refund, amount: { refund: 0 } })),
          keys,
          identity,
          NOW,
        ),
      ),
    ).toBe('CALLBACK.MALFORMED');
    expect(
      codeOf(() => readCallback(signed(refundNotice(refund, 'REFUND.WHAT')), keys, identity, NOW)),
    ).toBe('CALLBACK.MALFORMED');
    // A refund resource cannot pass for a payment (original_type is checked).
    expect(codeOf(() => readNotification(signed(refundNotice(refund)), keys, identity, NOW))).toBe(
      'CALLBACK.MALFORMED',
    );
  });
});
