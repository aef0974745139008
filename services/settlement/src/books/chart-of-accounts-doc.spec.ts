import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  renderChartOfAccountsTable,
  TABLE_BEGIN,
  TABLE_END,
} from './domain/chart-of-accounts-table';
import { CHART_OF_ACCOUNTS } from '../ledger/domain';

const DOC = join(__dirname, '../../../../docs/chart-of-accounts.md');

/**
 * docs/chart-of-accounts.md carries the account table rendered from CHART_OF_ACCOUNTS between two
 * markers. When the chart changes this fails; regenerate the table with
 *   UPDATE_DOCS=1 npx jest services/settlement/src/books/chart-of-accounts-doc.spec.ts
 * and review the diff (the prose around the table is written by hand).
 */
describe('docs/chart-of-accounts.md', () => {
  const doc = readFileSync(DOC, 'utf8');
  const begin = doc.indexOf(TABLE_BEGIN);
  const end = doc.indexOf(TABLE_END);

  it('has the generated table between its markers, once', () => {
    expect(begin).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(begin);
    expect(doc.indexOf(TABLE_BEGIN, begin + 1)).toBe(-1);
  });

  it('shows the chart of accounts as the code has it', () => {
    const current = doc.slice(begin, end + TABLE_END.length);
    const expected = renderChartOfAccountsTable();
    if (process.env.UPDATE_DOCS === '1' && current !== expected) {
      writeFileSync(DOC, doc.slice(0, begin) + expected + doc.slice(end + TABLE_END.length));
      return;
    }
    expect(current).toBe(expected);
  });

  it('tells what moves every account of the chart', () => {
    const events = doc.slice(doc.indexOf('## What moves each account'));
    for (const code of Object.keys(CHART_OF_ACCOUNTS))
      expect(events).toMatch(new RegExp(`\`${code}[:\`]`));
  });
});
