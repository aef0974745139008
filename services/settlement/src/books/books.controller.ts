import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { isId } from '@paylab/ids';
import { OperatorRoles, parseRequest } from '@paylab/platform';
import { z } from 'zod';
import { isBusinessDate } from '../calendar/domain/business-date';
import { parseLedgerAccount } from '../ledger/domain';
import { Ledger } from '../ledger/ledger.service';
import { Books } from './books.service';
import {
  balanceSnapshotView,
  booksReportView,
  datedTrialBalanceView,
  paymentStoryView,
  type BalanceSnapshotView,
  type BooksReportView,
  type DatedTrialBalanceView,
  type PaymentStoryView,
} from './books.views';
import { balanceOnNormalSide } from './domain/accounting-identities';
import { PaymentStories } from './payment-stories.service';

const businessDate = z.string().refine(isBusinessDate, 'must be a date YYYY-MM-DD');
const dateParams = z.object({ businessDate });
const trialBalanceQuery = z.object({ businessDate: businessDate.optional() }).strict();
const paymentParams = z.object({
  paymentId: z.string().refine((value) => isId(value, 'pay'), 'must be a pay_ id'),
});

const ERROR_RESPONSE = {
  description:
    'Error in the documented shape `{ error: { type, code, message, param?, requestId } }`',
};
const ROLES_NOTE =
  'Internal/admin: roles viewer, operator, instructor (and admin) (Authorization: Bearer <operator token>).';

/** The books (账务): trial balances, daily snapshots, close reports and a payment's ledger story. */
@ApiTags('books (账务)')
@Controller('v1')
export class BooksController {
  constructor(
    private readonly books: Books,
    private readonly ledger: Ledger,
    private readonly stories: PaymentStories,
  ) {}

  @Get('ledger/trial-balance')
  @OperatorRoles('viewer', 'operator', 'instructor')
  @ApiOperation({
    summary:
      'Trial balance (试算平衡): total debits and credits per currency. With businessDate, the one ' +
      'stored when that date was closed (lines dated on or before it); without, the live one. ' +
      ROLES_NOTE,
  })
  @ApiQuery({ name: 'businessDate', required: false, description: 'YYYY-MM-DD, a closed date' })
  @ApiResponse({ status: 200, schema: z.toJSONSchema(datedTrialBalanceView) as object })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async trialBalance(@Query() query: unknown): Promise<DatedTrialBalanceView> {
    const request = parseRequest(trialBalanceQuery, query);
    if (request.businessDate === undefined) {
      return this.ledger.trialBalance();
    }
    const report = await this.books.report(request.businessDate);
    return { ...report.trialBalance, businessDate: report.businessDate, closedAt: report.closedAt };
  }

  @Get('ledger/snapshots/:businessDate')
  @OperatorRoles('viewer', 'operator', 'instructor')
  @ApiOperation({
    summary:
      'Every account’s balance at the close of a business date (日终余额快照). ' + ROLES_NOTE,
  })
  @ApiParam({ name: 'businessDate', description: 'YYYY-MM-DD, a closed date' })
  @ApiResponse({ status: 200, schema: z.toJSONSchema(balanceSnapshotView) as object })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async snapshot(@Param('businessDate') date: string): Promise<BalanceSnapshotView> {
    const request = parseRequest(dateParams, { businessDate: date });
    const { closedAt, accounts } = await this.books.snapshot(request.businessDate);
    return {
      businessDate: request.businessDate,
      closedAt,
      accounts: accounts.map((row) => {
        const known = chartEntryOf(row.account);
        const money = (amount: bigint) => ({ amountMinor: Number(amount), currency: row.currency });
        return {
          account: row.account,
          nameZh: known?.nameZh ?? null,
          normalSide: known?.normalSide ?? 'DEBIT',
          currency: row.currency,
          debits: money(row.debitsMinor),
          credits: money(row.creditsMinor),
          balance: money(balanceOnNormalSide(row)),
        };
      }),
    };
  }

  @Get('books/:businessDate')
  @OperatorRoles('viewer', 'operator', 'instructor')
  @ApiOperation({
    summary:
      'The close report of a business date (日终关账报告): trial balance and accounting identity checks. ' +
      ROLES_NOTE,
  })
  @ApiParam({ name: 'businessDate', description: 'YYYY-MM-DD' })
  @ApiResponse({ status: 200, schema: z.toJSONSchema(booksReportView) as object })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async report(@Param('businessDate') date: string): Promise<BooksReportView> {
    const request = parseRequest(dateParams, { businessDate: date });
    const report = await this.books.report(request.businessDate);
    return {
      businessDate: report.businessDate,
      closedAt: report.closedAt,
      accountsSnapshotted: report.accountsSnapshotted,
      trialBalanceBalanced: report.trialBalanceBalanced,
      healthy: report.healthy,
      trialBalance: report.trialBalance,
      checks: [...report.checks],
    };
  }

  @Get('ledger/payments/:paymentId/story')
  @OperatorRoles('viewer', 'operator', 'instructor')
  @ApiOperation({
    summary:
      'A payment’s ledger story (账务故事): its clearing, refunds and late-payment entries, then the ' +
      'settlement batches that took its items and their payouts. ' +
      ROLES_NOTE,
  })
  @ApiParam({ name: 'paymentId', description: 'pay_…' })
  @ApiResponse({ status: 200, schema: z.toJSONSchema(paymentStoryView) as object })
  @ApiResponse({ status: 400, ...ERROR_RESPONSE })
  @ApiResponse({ status: 404, ...ERROR_RESPONSE })
  async story(@Param('paymentId') paymentId: string): Promise<PaymentStoryView> {
    const request = parseRequest(paymentParams, { paymentId });
    return this.stories.story(request.paymentId);
  }
}

function chartEntryOf(account: string) {
  try {
    return parseLedgerAccount(account).definition;
  } catch {
    return undefined;
  }
}
