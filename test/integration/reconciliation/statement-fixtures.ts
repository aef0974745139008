/**
 * Statement files built the way the channels write them, for the parser specs and the recon-run
 * integration test. Shared so both exercise the same layouts (channel-protocols.md §B5, §C).
 */
import {
  ALIPAY_BUSINESS_COLUMNS,
  WECHAT_BILL_COLUMNS,
  WECHAT_SUMMARY_COLUMNS,
} from '../../../services/reconciliation/src/recon-runs/domain';

let gbkTable: Map<string, number[]> | undefined;

/**
 * Node decodes GBK but cannot encode it, so the table is built by decoding every double-byte
 * code once (lead 0x81–0xFE, trail 0x40–0xFE). ASCII passes through.
 */
export function encodeGbk(text: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map();
    const decoder = new TextDecoder('gbk', { fatal: true });
    for (let lead = 0x81; lead <= 0xfe; lead += 1) {
      for (let trail = 0x40; trail <= 0xfe; trail += 1) {
        if (trail === 0x7f) continue;
        try {
          const char = decoder.decode(Uint8Array.of(lead, trail));
          if (char.length === 1 && !gbkTable.has(char)) gbkTable.set(char, [lead, trail]);
        } catch {
          // not a GBK code point
        }
      }
    }
  }
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) {
      bytes.push(code);
      continue;
    }
    const encoded = gbkTable.get(char);
    if (!encoded) throw new Error(`cannot encode ${char} in GBK`);
    bytes.push(...encoded);
  }
  return Buffer.from(bytes);
}

export interface AlipayRow {
  tradeNo: string;
  merchantOrderNo?: string;
  kind?: '交易' | '退款';
  /** yuan, as written: '12.34' or '-1.00' */
  amount: string;
  /** yyyy-MM-dd HH:mm:ss Asia/Shanghai */
  completedAt: string;
  refundNo?: string;
  fee?: string;
}

export function alipayRowText(row: AlipayRow): string {
  const cells: string[] = ALIPAY_BUSINESS_COLUMNS.map(() => '');
  const set = (column: (typeof ALIPAY_BUSINESS_COLUMNS)[number], value: string) => {
    cells[ALIPAY_BUSINESS_COLUMNS.indexOf(column)] = value;
  };
  // Alipay ends id cells with a TAB so spreadsheets keep them as text.
  set('支付宝交易号', `${row.tradeNo}\t`);
  set('商户订单号', `${row.merchantOrderNo ?? ''}\t`);
  set('业务类型', row.kind ?? '交易');
  set('商品名称', '茶叶 (Tea)');
  set('创建时间', row.completedAt);
  set('完成时间', row.completedAt);
  set('订单金额（元）', row.amount);
  set('商家实收（元）', row.amount);
  set('退款批次号/请求号', row.refundNo ? `${row.refundNo}\t` : '');
  set('服务费（元）', row.fee ?? '0.00');
  return cells.join(',');
}

/** The whole 业务明细 CSV, GBK and CRLF, with `rowsText` replacing the rows when given. */
export function alipayCsv(
  rows: AlipayRow[],
  options: { rowsText?: string[]; declaredTrades?: number; omitEndMarker?: boolean } = {},
): Buffer {
  const body = options.rowsText ?? rows.map(alipayRowText);
  const trades = options.declaredTrades ?? rows.filter((r) => (r.kind ?? '交易') === '交易').length;
  const lines = [
    '#支付宝业务明细查询',
    '#账号：[20881234567890150156]',
    '#起始日期：[2031年03月14日 00:00:00]   终止日期：[2031年03月15日 00:00:00]',
    '#-----------------------------------------业务明细列表----------------------------------------',
    ALIPAY_BUSINESS_COLUMNS.join(','),
    ...body,
    ...(options.omitEndMarker
      ? []
      : [
          '#-----------------------------------------业务明细列表结束------------------------------------',
          `#交易合计：${trades}笔，商家实收共0.00元，商家优惠共0.00元`,
          '#退款合计：0笔，商家实收共0.00元，商家优惠共0.00元',
          '#导出时间：[2031年03月15日 09:00:00]',
        ]),
  ];
  return encodeGbk(lines.map((line) => `${line}\r\n`).join(''));
}

export interface WechatRow {
  tradeNo: string;
  merchantOrderNo?: string;
  status?: 'SUCCESS' | 'REFUND' | 'REVOKED' | string;
  /** yuan; for REFUND rows the refunded amount */
  amount: string;
  tradedAt: string;
  refundNo?: string;
  /** 商户退款单号: our refund id (out_refund_no) */
  refundRequestNo?: string;
  fee?: string;
  currency?: string;
}

export function wechatRowText(row: WechatRow): string {
  const cells: string[] = WECHAT_BILL_COLUMNS.map(() => '');
  const set = (column: (typeof WECHAT_BILL_COLUMNS)[number], value: string) => {
    cells[WECHAT_BILL_COLUMNS.indexOf(column)] = value;
  };
  const status = row.status ?? 'SUCCESS';
  set('交易时间', row.tradedAt);
  set('公众账号ID', 'wx8888888888888888');
  set('商户号', '1900000100');
  set('微信订单号', row.tradeNo);
  set('商户订单号', row.merchantOrderNo ?? '');
  set('用户标识', 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o');
  set('交易类型', 'NATIVE');
  set('交易状态', status);
  set('付款银行', 'OTHERS');
  set('货币种类', row.currency ?? 'CNY');
  set('应结订单金额', status === 'REFUND' ? '0.00' : row.amount);
  set('代金券金额', '0.00');
  set('微信退款单号', row.refundNo ?? '');
  set('商户退款单号', row.refundRequestNo ?? '');
  set('退款金额', status === 'REFUND' ? row.amount : '0.00');
  set('充值券退款金额', '0.00');
  set('商品名称', '茶叶');
  set('手续费', row.fee ?? '0.00000');
  set('费率', '0.60%');
  set('订单金额', status === 'REFUND' ? '0.00' : row.amount);
  set('申请退款金额', '0.00');
  return cells.map((cell) => `\`${cell}`).join(',');
}

/** The whole trade bill: UTF-8 with BOM, CRLF everywhere, a trailing CRLF. */
export function wechatBill(
  rows: WechatRow[],
  options: { rowsText?: string[]; declaredCount?: number; omitSummary?: boolean } = {},
): Buffer {
  const body = options.rowsText ?? rows.map(wechatRowText);
  const count = options.declaredCount ?? body.length;
  const lines = [
    WECHAT_BILL_COLUMNS.join(','),
    ...body,
    ...(options.omitSummary
      ? []
      : [
          WECHAT_SUMMARY_COLUMNS.join(','),
          [String(count), '0.00', '0.00', '0.00', '0.00000', '0.00', '0.00']
            .map((v) => `\`${v}`)
            .join(','),
        ]),
  ];
  return Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'utf8'),
  ]);
}
