import { ReconError } from '../recon-error';
import type { ReconChannel, StatementLine } from '../records';
import { parseAlipayBusinessCsv } from './alipay-business-csv';
import { parseWechatTradeBill } from './wechat-trade-bill';

export { ALIPAY_BUSINESS_COLUMNS, parseAlipayBusinessCsv } from './alipay-business-csv';
export {
  WECHAT_BILL_COLUMNS,
  WECHAT_SUMMARY_COLUMNS,
  parseWechatTradeBill,
} from './wechat-trade-bill';

/** The statement layouts an upload may carry, and the channel each belongs to. */
export const STATEMENT_FORMATS = {
  ALIPAY_CSV: { channel: 'ALIPAY', parse: parseAlipayBusinessCsv },
  WECHAT_BILL: { channel: 'WECHAT_PAY', parse: parseWechatTradeBill },
} as const satisfies Record<
  string,
  { channel: ReconChannel; parse: (bytes: Uint8Array) => StatementLine[] }
>;

export type StatementFormat = keyof typeof STATEMENT_FORMATS;

/** Parses a statement for a run of `channel`, refusing a format of another channel. */
export function parseStatement(
  format: StatementFormat,
  channel: ReconChannel,
  bytes: Uint8Array,
): StatementLine[] {
  const spec = STATEMENT_FORMATS[format];
  if (spec.channel !== channel) {
    throw new ReconError(
      'RECON.STATEMENT_CHANNEL_MISMATCH',
      `A ${format} statement is ${spec.channel}'s; this run is for ${channel}.`,
      'statement.format',
    );
  }
  return spec.parse(bytes);
}
