import { CHART_OF_ACCOUNTS, type AccountDefinition } from '../../ledger/domain';

/** Markers around the generated table in docs/chart-of-accounts.md. */
export const TABLE_BEGIN = '<!-- chart-of-accounts:begin (generated from CHART_OF_ACCOUNTS) -->';
export const TABLE_END = '<!-- chart-of-accounts:end -->';

const TYPE_ZH: Readonly<Record<AccountDefinition['type'], string>> = {
  ASSET: '资产',
  LIABILITY: '负债',
  EQUITY: '所有者权益',
  INCOME: '收入',
  EXPENSE: '费用',
};
const SIDE_ZH = { DEBIT: '借', CREDIT: '贷' } as const;
const QUALIFIER = { CHANNEL: '`:<channel>`', MERCHANT: '`:<mch_…>`', NONE: '—' } as const;

/**
 * The account table of the chart of accounts doc, rendered from CHART_OF_ACCOUNTS, so the doc can
 * never describe an account the code does not have (a spec compares the two).
 */
export function renderChartOfAccountsTable(): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const rows = Object.entries(CHART_OF_ACCOUNTS).map(([code, definition]) => {
    const d: AccountDefinition = definition;
    return (
      `| \`${code}\` | ${QUALIFIER[d.qualifier]} | ${d.nameZh} | ` +
      `${d.type} (${TYPE_ZH[d.type]}) | ${d.normalSide} (${SIDE_ZH[d.normalSide]}) | ` +
      `${escape(d.description)} |`
    );
  });
  return [
    TABLE_BEGIN,
    '',
    '| Code (科目代码) | Sub-account (明细) | Chinese name (科目名称) | Type (类别) | Normal side (余额方向) | Meaning (含义) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    TABLE_END,
  ].join('\n');
}
