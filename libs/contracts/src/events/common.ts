import { z } from 'zod';

const ID_BODY = '[0-9A-HJKMNP-TV-Z]{26}';

export const prefixedId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_${ID_BODY}$`), `must be a ${prefix}_ id`);

export const currencyCode = z.enum(['CNY', 'USD', 'EUR', 'HKD', 'GBP', 'SGD', 'JPY', 'KRW']);

/** Money on the wire: integer minor units (fen) and an ISO 4217 code, never a float. */
export const money = z.object({
  amountMinor: z.number().int().safe(),
  currency: currencyCode,
});

export const utcTimestamp = z.iso.datetime({ offset: true });

/** A business date in the channel's time zone (Asia/Shanghai for the Chinese channels). */
export const businessDate = z.iso.date();

export const channelCode = z.enum(['ALIPAY', 'WECHAT_PAY', 'UNIONPAY']);
