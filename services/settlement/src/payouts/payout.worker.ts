import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BackgroundWorker, ROOT_LOGGER, type PaylabLogger } from '@paylab/platform';
import type { DataSource } from 'typeorm';
import { SETTLEMENT_CONFIG } from '../config';
import type { SettlementConfig } from '../config';
import { BANK_CLIENT, type BankClient } from './bank/bank-client';
import {
  decideAfterQuery,
  decideAfterSubmission,
  nextPayoutAction,
  queryBackoffMs,
  type PayoutState,
} from './domain/payout';
import { Payouts } from './payouts.service';

interface ClaimedPayout {
  id: string;
  state: PayoutState;
  submit_attempts: number;
  query_attempts: number;
  request_no: string;
  currency: string;
  amount_minor: string;
  payee_bank_code: string;
  payee_account_no: string;
  payee_account_name: string;
  batch_id: string;
  settlement_date: string;
}

/**
 * How long a replica owns a payout it is talking to the bank about: always longer than a bank
 * call may take, so that no other replica asks about it while the call is still running.
 */
const MIN_CLAIM_LEASE_MS = 60_000;
/** Queries after which an unresolved payout is reported as an error (and every as many again). */
const UNRESOLVED_AFTER = 20;

/**
 * Talks to the bank for payouts that are not final: submits a new one once, and after that only
 * asks (query) until the bank gives a definite answer. A payout is claimed by pushing its
 * next_action_at past the bank call under a row lock, so two replicas never call the bank about
 * the same payout at once; a replica that dies mid-call leaves a payout whose lease runs out and
 * which the next pass queries rather than resubmits (submit_attempts was counted first).
 */
@Injectable()
export class PayoutWorker extends BackgroundWorker {
  private readonly log: PaylabLogger;
  private readonly claimLeaseMs: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly payouts: Payouts,
    @Inject(BANK_CLIENT) private readonly bank: BankClient,
    @Inject(SETTLEMENT_CONFIG) config: SettlementConfig,
    @Inject(ROOT_LOGGER) logger: PaylabLogger,
  ) {
    super('payouts', config.PAYOUT_POLL_INTERVAL_MS, logger);
    this.claimLeaseMs = Math.max(MIN_CLAIM_LEASE_MS, 2 * config.BANK_REQUEST_TIMEOUT_MS);
    this.log = logger.child({ component: 'payout-worker' });
  }

  protected async runPass(): Promise<boolean> {
    for (let handled = 0; handled < 20; handled += 1) {
      if (this.stopping) return false;
      const claimed = await this.claim();
      if (!claimed) return false;
      await this.handle(claimed);
    }
    return true;
  }

  /** Claims the payout whose next step is due soonest: counted and leased before the bank call. */
  private async claim(): Promise<ClaimedPayout | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT p.id, p.state, p.submit_attempts, p.query_attempts, p.request_no, p.currency,
                p.amount_minor::text AS amount_minor, p.payee_bank_code, p.payee_account_no,
                p.payee_account_name, p.batch_id, b.settlement_date::text AS settlement_date
           FROM settlement.payouts p JOIN settlement.settlement_batches b ON b.id = p.batch_id
          WHERE p.state IN ('SUBMITTING', 'SENT', 'UNKNOWN') AND p.next_action_at <= now()
          ORDER BY p.next_action_at
          LIMIT 1
          FOR UPDATE OF p SKIP LOCKED`,
      )) as ClaimedPayout[];
      if (!row) return undefined;
      const action = nextPayoutAction({ state: row.state, submitAttempts: row.submit_attempts });
      // Counted before the call: if we die during it, the next owner asks instead of resending.
      await manager.query(
        `UPDATE settlement.payouts
            SET next_action_at = now() + make_interval(secs => $2::double precision / 1000),
                claimed_until = now() + make_interval(secs => $2::double precision / 1000),
                submit_attempts = submit_attempts + $3, query_attempts = query_attempts + $4,
                submitted_at = CASE WHEN $3 = 1 THEN COALESCE(submitted_at, now()) ELSE submitted_at END
          WHERE id = $1`,
        [row.id, this.claimLeaseMs, action === 'SUBMIT' ? 1 : 0, action === 'QUERY' ? 1 : 0],
      );
      return row;
    });
  }

  private async handle(payout: ClaimedPayout): Promise<void> {
    const action = nextPayoutAction({
      state: payout.state,
      submitAttempts: payout.submit_attempts,
    });
    try {
      if (action === 'SUBMIT') {
        const submission = await this.bank.submitPayout({
          requestNo: payout.request_no,
          amountMinor: Number(payout.amount_minor),
          currency: payout.currency.trim(),
          payeeBankCode: payout.payee_bank_code,
          payeeAccountNo: payout.payee_account_no,
          payeeAccountName: payout.payee_account_name,
          memo: `PayLab settlement ${payout.batch_id} ${payout.settlement_date}`,
        });
        if (submission.outcome === 'UNKNOWN') {
          this.log.warn(
            { payoutId: payout.id, reason: submission.reason },
            'payout result unknown: it will be queried, never resubmitted blind',
          );
        }
        await this.payouts.apply(payout.id, decideAfterSubmission(submission, 0), 'submission');
      } else if (action === 'QUERY') {
        this.warnIfUnresolved(payout);
        const result = await this.bank.queryPayout(payout.request_no);
        await this.payouts.apply(
          payout.id,
          decideAfterQuery(payout.state, result, payout.query_attempts),
          'query',
        );
      }
    } catch (error) {
      // A transport failure on a query, or a database blip: ask again after a backoff. (A
      // submission never lands here: the client turns every failure into UNKNOWN.)
      await this.dataSource
        .query(
          `UPDATE settlement.payouts
              SET claimed_until = NULL,
                  next_action_at = now() + make_interval(secs => $2::double precision / 1000)
            WHERE id = $1 AND state IN ('SUBMITTING', 'SENT', 'UNKNOWN')`,
          [payout.id, queryBackoffMs(payout.query_attempts)],
        )
        .catch(() => undefined); // the lease runs out instead
      this.log.warn(
        {
          payoutId: payout.id,
          action,
          err: error instanceof Error ? error.message : String(error),
        },
        'payout step failed; it is asked again after a backoff',
      );
    }
  }

  /**
   * A payout the bank has not settled after many queries (the bank keeps refusing the query, or
   * keeps saying PROCESSING) is still never resubmitted or guessed: it is said loudly, every
   * UNRESOLVED_AFTER queries, for a person to look at the bank's statement.
   */
  private warnIfUnresolved(payout: ClaimedPayout): void {
    const queries = payout.query_attempts + 1;
    if (queries >= UNRESOLVED_AFTER && queries % UNRESOLVED_AFTER === 0) {
      this.log.error(
        { payoutId: payout.id, batchId: payout.batch_id, requestNo: payout.request_no, queries },
        'payout still unresolved at the bank after many queries: check the bank statement (对账)',
      );
    }
  }
}
