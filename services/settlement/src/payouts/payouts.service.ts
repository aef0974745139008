import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SettlementBatchFailed, SettlementBatchPaid, type PayloadOf } from '@paylab/contracts';
import { newId } from '@paylab/ids';
import { Outbox } from '@paylab/messaging';
import { ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { lockAvailableBalances } from '../batches/settlement-locks';
import { settlementTotalsOf } from '../batches/batch-views';
import { assertBatchTransition } from '../batches/domain/batch-state';
import { SettlementError } from '../batches/domain/settlement-error';
import { SettlementBatchEntity } from '../batches/settlement-batch.entities';
import { shanghaiDateOf } from '../calendar/domain/business-date';
import { ledgerAccount } from '../ledger/domain';
import { journalForPayout } from '../ledger/domain/settlement-journal';
import { Ledger } from '../ledger/ledger.service';
import { defaultTerms, type PayoutAccount } from '../terms/domain/settlement-terms';
import { SETTLEMENT_TERMS_READER, type SettlementTermsReader } from '../terms/terms.port';
import type { PayoutNotification } from './bank/bank-client';
import {
  assertPayoutTransition,
  isFinalPayoutState,
  type PayoutDecision,
  type PayoutState,
} from './domain/payout';
import { PayoutEntity } from './payout.entity';

export interface PayOutcome {
  readonly businessDate: string;
  readonly payoutsCreated: number;
  readonly failedWithoutAccount: number;
}

/**
 * Payouts (代付): turning CREATED batches into payouts, and applying what the bank says. Sending
 * to the bank is the worker's job (payout.worker.ts); everything here is one short database
 * transaction with the batch and payout rows locked, so a notification and a query answering at
 * once cannot both finish a payout.
 */
@Injectable()
export class Payouts {
  private readonly log: PaylabLogger;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: Ledger,
    private readonly outbox: Outbox,
    @Inject(SETTLEMENT_TERMS_READER) private readonly terms: SettlementTermsReader,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    this.log = logger.child({ component: 'payouts' });
  }

  /** PAY_OUT: one payout per CREATED batch up to `businessDate`, each in its own transaction. */
  async payOutDue(businessDate: string): Promise<PayOutcome> {
    const batchIds = (
      (await this.dataSource.query(
        `SELECT id FROM settlement.settlement_batches
          WHERE state = 'CREATED' AND settlement_date <= $1 ORDER BY settlement_date, id`,
        [businessDate],
      )) as Array<{ id: string }>
    ).map((row) => row.id);
    let payoutsCreated = 0;
    let failedWithoutAccount = 0;
    for (const batchId of batchIds) {
      const result = await this.dataSource.transaction((manager) =>
        this.startPayout(manager, batchId, 'CREATED', 'end-of-day', businessDate),
      );
      if (result === 'PAYOUT_CREATED') payoutsCreated += 1;
      if (result === 'NO_PAYOUT_ACCOUNT') failedWithoutAccount += 1;
    }
    return { businessDate, payoutsCreated, failedWithoutAccount };
  }

  /**
   * An operator pays a FAILED batch again (人工重新代付), with a new attempt and request number, to
   * the payout account in force today. After correcting the account (户名不符, a new card), the
   * operator names the new terms version: the retry then pays to that version's account at once,
   * if it is the newest version and was saved by someone else (四眼原则, four eyes), so that no
   * single person can both redirect a merchant's money and send it.
   */
  async retry(
    batchId: string,
    operator: { name: string; role: string },
    reason: string,
    termsVersion?: number,
  ): Promise<PayoutEntity> {
    return this.dataSource.transaction(async (manager) => {
      const accountFor =
        termsVersion === undefined
          ? undefined
          : (merchantId: string) =>
              this.approvedAccount(manager, merchantId, termsVersion, operator);
      const result = await this.startPayout(
        manager,
        batchId,
        'FAILED',
        `${operator.role}:${operator.name}: ${reason}`,
        undefined,
        accountFor,
      );
      if (result !== 'PAYOUT_CREATED') {
        throw new SettlementError(
          'SETTLEMENT_BATCH.NOT_RETRYABLE',
          result === 'NO_PAYOUT_ACCOUNT'
            ? `Settlement batch ${batchId} cannot be paid: its merchant has no payout account on file`
            : `Settlement batch ${batchId} is not FAILED (or its money was carried into a later batch)`,
          'batchId',
        );
      }
      return manager
        .getRepository(PayoutEntity)
        .findOneOrFail({ where: { batchId }, order: { attempt: 'DESC' } });
    });
  }

  /** The payout account of the merchant's newest terms version, if it may be used at once. */
  private async approvedAccount(
    manager: EntityManager,
    merchantId: string,
    termsVersion: number,
    operator: { name: string },
  ): Promise<PayoutAccount | null> {
    const [newest] = (await manager.query(
      `SELECT version, payout_bank_code, payout_account_no, payout_account_name, created_by
         FROM settlement.settlement_terms WHERE merchant_id = $1 ORDER BY version DESC LIMIT 1`,
      [merchantId],
    )) as Array<{
      version: number;
      payout_bank_code: string | null;
      payout_account_no: string | null;
      payout_account_name: string | null;
      created_by: string;
    }>;
    if (!newest || newest.version !== termsVersion) {
      throw new SettlementError(
        'SETTLEMENT_BATCH.NOT_RETRYABLE',
        `termsVersion ${termsVersion} is not the merchant's newest terms version (${newest?.version ?? 'none'})`,
        'termsVersion',
      );
    }
    if (newest.created_by === operator.name) {
      throw new SettlementError(
        'SETTLEMENT_BATCH.SAME_OPERATOR',
        'The operator who changed the payout account may not also send the money to it (four eyes)',
        'termsVersion',
      );
    }
    return newest.payout_account_no && newest.payout_account_name && newest.payout_bank_code
      ? {
          bankCode: newest.payout_bank_code,
          accountNo: newest.payout_account_no,
          accountName: newest.payout_account_name,
        }
      : null;
  }

  private async startPayout(
    manager: EntityManager,
    batchId: string,
    expected: 'CREATED' | 'FAILED',
    requestedBy: string,
    /** The end of day's date, for the accounting date of the entry; a retry posts today. */
    businessDate?: string,
    /** The account to pay instead of the one in force today (an approved correction). */
    accountFor?: (merchantId: string) => Promise<PayoutAccount | null>,
  ): Promise<'PAYOUT_CREATED' | 'NO_PAYOUT_ACCOUNT' | 'SKIPPED'> {
    await lockAvailableBalances(manager);
    const batch = await manager
      .getRepository(SettlementBatchEntity)
      .createQueryBuilder('b')
      .where('b.id = :batchId', { batchId })
      .setLock('pessimistic_write')
      .getOne();
    if (!batch) {
      throw new SettlementError(
        'SETTLEMENT_BATCH.NOT_FOUND',
        `No settlement batch ${batchId}`,
        'batchId',
      );
    }
    // Another replica or an earlier run moved it on: nothing to do, and nothing paid twice.
    if (batch.state !== expected) return 'SKIPPED';
    // The account in force on the batch's date (today for a retry), or an approved correction.
    const today = shanghaiDateOf(new Date());
    const termsDate = batch.settlementDate > today ? batch.settlementDate : today;
    const payoutAccount = accountFor
      ? await accountFor(batch.merchantId)
      : (
          (await this.terms.effectiveOn(manager, termsDate, [batch.merchantId])).get(
            batch.merchantId,
          ) ?? defaultTerms(batch.merchantId)
        ).payoutAccount;
    const currency = batch.currency.trim();
    if (!payoutAccount) {
      if (batch.state === 'CREATED') {
        await this.moveBatch(manager, batch, 'FAILED', {
          failureCode: 'NO_PAYOUT_ACCOUNT',
          failureMessage: 'The merchant has no settlement bank account (结算账户) on file',
        });
        await this.outbox.publish(manager, SettlementBatchFailed, {
          ...this.batchFacts(batch),
          payoutId: null,
          amount: { amountMinor: batch.netMinor, currency: currency as never },
          failureCode: 'NO_PAYOUT_ACCOUNT',
          failureMessage: 'The merchant has no settlement bank account (结算账户) on file',
        });
      }
      return 'NO_PAYOUT_ACCOUNT';
    }
    if (batch.state === 'FAILED') {
      // A retry pays what the failure returned; refuse if available no longer holds it.
      const available = await this.availableMinor(manager, batch.merchantId, currency);
      if (available < batch.netMinor) return 'SKIPPED';
    }
    const attempt =
      ((
        (await manager.query(
          `SELECT COALESCE(max(attempt), 0)::int AS attempt FROM settlement.payouts WHERE batch_id = $1`,
          [batchId],
        )) as Array<{ attempt: number }>
      )[0]?.attempt ?? 0) + 1;
    const payoutId = newId('po');
    const journal = journalForPayout(
      { payoutId, batchId, merchantId: batch.merchantId, currency, amountMinor: batch.netMinor },
      'SENT',
      { businessDate },
    );
    await this.ledger.post(manager, journal);
    await manager.getRepository(PayoutEntity).insert({
      id: payoutId,
      batchId,
      merchantId: batch.merchantId,
      attempt,
      // The payout id is unique and at most 32 characters, as banks' request numbers must be.
      requestNo: payoutId,
      currency,
      amountMinor: batch.netMinor,
      payeeBankCode: payoutAccount.bankCode,
      payeeAccountNo: payoutAccount.accountNo,
      payeeAccountName: payoutAccount.accountName,
      state: 'SUBMITTING',
      submitAttempts: 0,
      queryAttempts: 0,
      nextActionAt: new Date(),
      sentJournalEntryId: journal.id,
      requestedBy,
    });
    await this.moveBatch(manager, batch, 'PAYING', { failureCode: null, failureMessage: null });
    this.log.info(
      { batchId, payoutId, attempt, amountMinor: batch.netMinor, requestedBy },
      'payout created (代付已创建)',
    );
    return 'PAYOUT_CREATED';
  }

  /** Applies a bank answer (query, submission or notification) to a payout, once. */
  async apply(
    payoutId: string,
    decision: PayoutDecision,
    source: string,
    /** Set when an admin settles it by hand: checked under the row lock, and recorded. */
    byOperator?: { by: string; note: string },
  ): Promise<PayoutState> {
    return this.dataSource.transaction(async (manager) => {
      if (decision.to === 'FAILED') await lockAvailableBalances(manager);
      const payout = await manager
        .getRepository(PayoutEntity)
        .createQueryBuilder('p')
        .where('p.id = :payoutId', { payoutId })
        .setLock('pessimistic_write')
        .getOne();
      if (!payout) throw new SettlementError('PAYOUT.NOT_FOUND', `No payout ${payoutId}`);
      if (byOperator) await this.assertResolvable(manager, payout, decision);
      if (isFinalPayoutState(payout.state)) {
        if (payout.state !== decision.to && (decision.to === 'PAID' || decision.to === 'FAILED')) {
          // The bank said two different things about one payout: a person must look (退汇?).
          this.log.error(
            { payoutId, recorded: payout.state, now: decision.to, source },
            'PAYOUT.CONFLICTING_RESULT: the bank contradicts a finished payout',
          );
        }
        return payout.state;
      }
      assertPayoutTransition(payoutId, payout.state, decision.to);
      const now = new Date();
      const changes: Partial<PayoutEntity> = {
        state: decision.to,
        bankTxnNo: decision.bankTxnNo ?? payout.bankTxnNo,
        updatedAt: now,
        version: payout.version + 1,
        // The step that brought this answer is over: the payout is nobody's now.
        claimedUntil: null,
      };
      if (decision.retryInMs !== undefined) {
        changes.nextActionAt = new Date(now.getTime() + decision.retryInMs);
      }
      if (byOperator) {
        changes.resolvedBy = byOperator.by;
        changes.resolutionNote = byOperator.note;
      }
      if (decision.resubmit) {
        // The bank never received it: the next pass submits again, same request number.
        changes.submitAttempts = 0;
        changes.nextActionAt = now;
      }
      if (decision.to === 'PAID' || decision.to === 'FAILED') {
        const outcome = journalForPayout(
          {
            payoutId,
            batchId: payout.batchId,
            merchantId: payout.merchantId,
            currency: payout.currency.trim(),
            amountMinor: payout.amountMinor,
          },
          decision.to,
        );
        await this.ledger.post(manager, outcome);
        changes.outcomeJournalEntryId = outcome.id;
        changes.finishedAt = decision.finishedAt ?? now;
        changes.failureCode = decision.failureCode ?? null;
        changes.failureMessage = decision.failureMessage ?? null;
        await this.finishBatch(manager, payout, decision, changes.finishedAt);
      }
      await manager.getRepository(PayoutEntity).update({ id: payoutId }, changes);
      this.log.info(
        { payoutId, batchId: payout.batchId, from: payout.state, to: decision.to, source },
        'payout moved',
      );
      return decision.to;
    });
  }

  /**
   * An admin settles as PAID a payout the bank cannot answer for (人工确认), after finding it on
   * the bank's statement: the human exit of a payout that stays SENT or UNKNOWN. Only PAID: a
   * payout the bank may still carry out is never declared failed by hand, since its money would
   * then be paid again. Refused (409) while the worker is asking the bank about it, for a payout
   * never sent, a final one, or a bank transaction number another payout already has.
   */
  async resolveAsPaid(
    payoutId: string,
    resolution: { bankTxnNo: string; reason: string },
    resolvedBy: string,
  ): Promise<PayoutState> {
    return this.apply(
      payoutId,
      { to: 'PAID', bankTxnNo: resolution.bankTxnNo },
      `operator ${resolvedBy}`,
      {
        by: resolvedBy,
        note: resolution.reason,
      },
    );
  }

  private async assertResolvable(
    manager: EntityManager,
    payout: PayoutEntity,
    decision: PayoutDecision,
  ): Promise<void> {
    const refuse = (code: 'PAYOUT.NOT_RESOLVABLE' | 'PAYOUT.BANK_TXN_NO_USED', message: string) => {
      throw new SettlementError(code, message, 'payoutId');
    };
    if (payout.state !== 'SENT' && payout.state !== 'UNKNOWN') {
      refuse(
        'PAYOUT.NOT_RESOLVABLE',
        `Payout ${payout.id} is ${payout.state}: only a payout sent and unanswered can be settled by hand`,
      );
    }
    if (payout.submitAttempts < 1)
      refuse('PAYOUT.NOT_RESOLVABLE', `Payout ${payout.id} was never sent`);
    if (payout.claimedUntil && payout.claimedUntil.getTime() > Date.now()) {
      refuse(
        'PAYOUT.NOT_RESOLVABLE',
        `Payout ${payout.id} is being asked about at the bank right now; try again in a moment`,
      );
    }
    const [taken] = (await manager.query(
      `SELECT id FROM settlement.payouts WHERE bank_txn_no = $1 AND id <> $2 LIMIT 1`,
      [decision.bankTxnNo, payout.id],
    )) as Array<{ id: string }>;
    if (taken)
      refuse(
        'PAYOUT.BANK_TXN_NO_USED',
        `Bank transaction ${decision.bankTxnNo} is payout ${taken.id}'s`,
      );
  }

  /** A notification the bank pushed, already verified by the bank client. */
  async onNotification(notification: PayoutNotification): Promise<PayoutState> {
    const payout = await this.dataSource
      .getRepository(PayoutEntity)
      .findOneBy({ requestNo: notification.requestNo });
    if (!payout) {
      throw new SettlementError(
        'PAYOUT.NOT_FOUND',
        `No payout with request number ${notification.requestNo}`,
        'requestNo',
      );
    }
    const result = notification.result;
    return this.apply(
      payout.id,
      result.status === 'SUCCEEDED'
        ? { to: 'PAID', bankTxnNo: result.bankTxnNo, finishedAt: result.finishedAt }
        : {
            to: 'FAILED',
            bankTxnNo: result.bankTxnNo,
            failureCode: result.failureCode,
            failureMessage: result.failureMessage,
          },
      'notification',
    );
  }

  private async finishBatch(
    manager: EntityManager,
    payout: PayoutEntity,
    decision: PayoutDecision,
    finishedAt: Date,
  ): Promise<void> {
    const batch = await manager
      .getRepository(SettlementBatchEntity)
      .createQueryBuilder('b')
      .where('b.id = :batchId', { batchId: payout.batchId })
      .setLock('pessimistic_write')
      .getOne();
    if (!batch)
      throw new SettlementError('SETTLEMENT_BATCH.NOT_FOUND', `No batch ${payout.batchId}`);
    const amount = { amountMinor: payout.amountMinor, currency: payout.currency.trim() as never };
    if (decision.to === 'PAID') {
      await this.moveBatch(manager, batch, 'PAID', { paidAt: finishedAt });
      const event: PayloadOf<typeof SettlementBatchPaid> = {
        ...this.batchFacts(batch),
        payoutId: payout.id,
        payoutRequestNo: payout.requestNo,
        bankTxnNo: decision.bankTxnNo ?? payout.bankTxnNo ?? payout.requestNo,
        amount,
        paidAt: finishedAt.toISOString(),
      };
      await this.outbox.publish(manager, SettlementBatchPaid, event);
      return;
    }
    const failureCode = decision.failureCode ?? 'PAYOUT_FAILED';
    const failureMessage = decision.failureMessage ?? '';
    await this.moveBatch(manager, batch, 'FAILED', { failureCode, failureMessage });
    await this.outbox.publish(manager, SettlementBatchFailed, {
      ...this.batchFacts(batch),
      payoutId: payout.id,
      amount,
      failureCode,
      failureMessage,
    });
  }

  /** Guarded: the row is locked, the transition checked, and the version bumped. */
  private async moveBatch(
    manager: EntityManager,
    batch: SettlementBatchEntity,
    to: SettlementBatchEntity['state'],
    changes: Partial<Pick<SettlementBatchEntity, 'failureCode' | 'failureMessage' | 'paidAt'>>,
  ): Promise<void> {
    assertBatchTransition(batch.id, batch.state, to);
    const result = await manager
      .getRepository(SettlementBatchEntity)
      .update(
        { id: batch.id, version: batch.version },
        { ...changes, state: to, updatedAt: new Date(), version: batch.version + 1 },
      );
    if (result.affected !== 1) {
      throw new SettlementError(
        'SETTLEMENT_BATCH.CONCURRENT_UPDATE',
        `Settlement batch ${batch.id} changed underneath`,
      );
    }
    batch.state = to;
    batch.version += 1;
  }

  private batchFacts(batch: SettlementBatchEntity) {
    return {
      batchId: batch.id,
      merchantId: batch.merchantId,
      settlementDate: batch.settlementDate,
      itemCount: batch.itemCount,
      totals: settlementTotalsOf(batch),
      occurredAt: new Date().toISOString(),
    };
  }

  private async availableMinor(
    manager: EntityManager,
    merchantId: string,
    currency: string,
  ): Promise<number> {
    const [row] = (await manager.query(
      `SELECT (COALESCE(sum(amount_minor) FILTER (WHERE side = 'CREDIT'), 0)
               - COALESCE(sum(amount_minor) FILTER (WHERE side = 'DEBIT'), 0))::text AS balance
         FROM settlement.journal_lines WHERE account = $1 AND currency = $2`,
      [ledgerAccount('MERCHANT_PAYABLE_AVAILABLE', merchantId), currency],
    )) as Array<{ balance: string }>;
    return Number(row?.balance ?? 0);
  }
}
