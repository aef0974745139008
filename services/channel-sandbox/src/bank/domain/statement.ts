import { SANDBOX_BANK_CODE, SANDBOX_BANK_NAME } from './payout';

/**
 * The daily account statement (账户明细对账单) of one account, as the bank's file: UTF-8 CSV,
 * lines ending in CRLF. Preamble lines start with "#" (bank, account, name, currency, date); one
 * header line; one line per debit (借) of that business date (Asia/Shanghai), oldest first; a
 * closing summary line with the count and the total. Amounts are yuan with two decimals, written
 * from integer fen (分) without floating point. No balances: the sandbox does not keep them.
 */

export interface StatementAccount {
  accountNo: string;
  accountName: string;
  currency: string;
}

export interface StatementDebit {
  /** The instant the bank finished the payout. */
  finishedAt: Date;
  bankTxnNo: string;
  requestNo: string;
  payeeAccountNo: string;
  payeeAccountName: string;
  payeeBankCode: string;
  amountMinor: number;
  memo: string;
}

export const STATEMENT_COLUMNS = [
  '交易日期',
  '交易时间',
  '银行流水号',
  '客户流水号',
  '借贷标志',
  '金额',
  '币种',
  '对方账号',
  '对方户名',
  '对方行号',
  '摘要',
] as const;

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Integer fen as yuan: 12345 → "123.45", -5 → "-0.05". */
export function formatYuan(amountMinor: number): string {
  if (!Number.isSafeInteger(amountMinor)) throw new RangeError(`not an amount: ${amountMinor}`);
  const sign = amountMinor < 0 ? '-' : '';
  const digits = String(Math.abs(amountMinor)).padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function renderStatement(
  account: StatementAccount,
  date: string,
  debits: readonly StatementDebit[],
): string {
  const sorted = [...debits].sort(
    (a, b) =>
      a.finishedAt.getTime() - b.finishedAt.getTime() || a.bankTxnNo.localeCompare(b.bankTxnNo),
  );
  let total = 0;
  const lines = [
    `# ${SANDBOX_BANK_NAME} (${SANDBOX_BANK_CODE}) 账户明细对账单`,
    `# 账号,${account.accountNo}`,
    `# 户名,${csvField(account.accountName)}`,
    `# 币种,${account.currency}`,
    `# 账单日期,${date}`,
    STATEMENT_COLUMNS.join(','),
  ];
  for (const debit of sorted) {
    total += debit.amountMinor;
    const local = new Date(debit.finishedAt.getTime() + SHANGHAI_OFFSET_MS).toISOString();
    lines.push(
      [
        local.slice(0, 10),
        local.slice(11, 19),
        debit.bankTxnNo,
        debit.requestNo,
        '借',
        formatYuan(debit.amountMinor),
        account.currency,
        debit.payeeAccountNo,
        debit.payeeAccountName,
        debit.payeeBankCode,
        debit.memo,
      ]
        .map(csvField)
        .join(','),
    );
  }
  lines.push(`# 合计,笔数,${sorted.length},借方金额,${formatYuan(total)}`);
  return lines.map((line) => `${line}\r\n`).join('');
}
