import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppError, parseRequest } from '@paylab/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { BANK_FAULT_KINDS } from '../alipay/domain/faults';
import { isCalendarDate, shanghaiBusinessDate } from '../alipay/domain/shanghai-time';
import { takeActiveFaults, useUpFaults } from '../trades/trade-payments.service';
import { BankAccountEntity, BankPayoutEntity } from './bank-payout.entity';
import { BANK_SANDBOX_SETTINGS, type BankSandboxSettings } from './bank.settings';
import { MAX_CLOCK_SKEW_SECONDS } from './domain/bank-signature';
import {
  bankTxnNo,
  type PayoutRequest,
  payoutRequestSchema,
  planPayout,
  requestFingerprint,
} from './domain/payout';
import { renderStatement } from './domain/statement';

/** A payout as the bank shows it to its client; a result only once it is final. */
export interface PayoutView {
  requestNo: string;
  bankTxnNo: string;
  status: BankPayoutEntity['status'];
  payerAccountNo: string;
  payeeBankCode: string;
  payeeAccountNo: string;
  payeeAccountName: string;
  amountMinor: number;
  currency: string;
  memo: string;
  failureCode: string | null;
  failureMessage: string | null;
  acceptedAt: string;
  finishedAt: string | null;
}

export function payoutView(row: BankPayoutEntity): PayoutView {
  const failed = row.status === 'FAILED';
  return {
    requestNo: row.requestNo,
    bankTxnNo: row.bankTxnNo,
    status: row.status,
    payerAccountNo: row.payerAccountNo,
    payeeBankCode: row.payeeBankCode,
    payeeAccountNo: row.payeeAccountNo,
    payeeAccountName: row.payeeAccountName,
    amountMinor: row.amountMinor,
    currency: row.currency,
    memo: row.memo,
    failureCode: failed ? row.failureCode : null,
    failureMessage: failed ? row.failureMessage : null,
    acceptedAt: row.acceptedAt.toISOString(),
    finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
  };
}

export interface Submitted {
  payout: PayoutView;
  /** Seconds to hold the HTTP answer and then drop it (a staged BANK_TIMEOUT_UNKNOWN); 0: answer. */
  holdResponseSeconds: number;
}

const REQUEST_NO = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The bank's side of payouts (代付): accept (idempotent per client and request number, the
 * payee checked and the staged BANK faults used up in the same transaction), query, and the
 * daily statement of a client's account.
 */
@Injectable()
export class BankPayouts {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(BANK_SANDBOX_SETTINGS) private readonly settings: BankSandboxSettings,
  ) {}

  /** Records a request nonce; a nonce seen before from the same client is a replay. */
  async recordNonce(clientId: string, nonce: string): Promise<void> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO "bank_request_nonces" ("client_id", "nonce") VALUES ($1, $2)
       ON CONFLICT DO NOTHING RETURNING "nonce"`,
      [clientId, nonce],
    );
    if (rows.length === 0) {
      throw new AppError(
        'authentication_error',
        'BANK.NONCE_REUSED',
        'X-Bank-Nonce was used before: a replayed request is refused.',
        'X-Bank-Nonce',
      );
    }
  }

  /** Forgets nonces old enough that their timestamps are out of the window anyway. */
  async forgetOldNonces(): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM "bank_request_nonces" WHERE "seen_at" < now() - ($1::int * interval '1 second')`,
      [MAX_CLOCK_SKEW_SECONDS * 2 + 60],
    );
  }

  async submit(clientId: string, body: unknown): Promise<Submitted> {
    const request = parseRequest(payoutRequestSchema, body);
    const fingerprint = requestFingerprint(request);
    return this.dataSource.transaction(async (manager) => {
      await this.requireOwnAccount(manager, clientId, request.payerAccountNo, 'payerAccountNo');
      const existing = await this.findExisting(manager, clientId, request.requestNo);
      if (existing)
        return { payout: sameRequestOrRefuse(existing, fingerprint), holdResponseSeconds: 0 };
      const faults = await takeActiveFaults(manager, 'BANK', BANK_FAULT_KINDS);
      const payee = await manager
        .getRepository(BankAccountEntity)
        .findOneBy({ accountNo: request.payeeAccountNo });
      const plan = planPayout(request, payee, faults);
      const inserted = await this.insert(manager, clientId, request, fingerprint, plan);
      if (!inserted) {
        // A concurrent submission of the same request number won the insert: answer with it.
        const winner = await this.findExisting(manager, clientId, request.requestNo);
        return { payout: sameRequestOrRefuse(winner!, fingerprint), holdResponseSeconds: 0 };
      }
      await useUpFaults(manager, plan.applied);
      return { payout: payoutView(inserted), holdResponseSeconds: plan.holdResponseSeconds };
    });
  }

  async query(clientId: string, requestNo: string): Promise<PayoutView> {
    if (!REQUEST_NO.test(requestNo)) {
      throw new AppError(
        'invalid_request_error',
        'REQUEST.VALIDATION_FAILED',
        'requestNo: must be 1-64 letters, digits, "_" or "-"',
        'requestNo',
      );
    }
    const row = await this.findExisting(this.dataSource.manager, clientId, requestNo);
    if (!row) {
      throw new AppError(
        'not_found_error',
        'BANK.PAYOUT_NOT_FOUND',
        `The bank has no payout with request number ${requestNo}.`,
        'requestNo',
      );
    }
    return payoutView(row);
  }

  /** The statement file of one of the client's accounts for a business date (Asia/Shanghai). */
  async statement(clientId: string, date: string, accountNo: unknown): Promise<string> {
    if (!isCalendarDate(date)) {
      throw new AppError(
        'invalid_request_error',
        'REQUEST.VALIDATION_FAILED',
        'date: must be a calendar date YYYY-MM-DD',
        'date',
      );
    }
    if (date > shanghaiBusinessDate(new Date())) {
      throw new AppError(
        'invalid_request_error',
        'BANK.STATEMENT_NOT_AVAILABLE',
        `There is no statement for ${date} yet: it is in the future.`,
        'date',
      );
    }
    if (typeof accountNo !== 'string' || !/^\d{8,32}$/.test(accountNo)) {
      throw new AppError(
        'invalid_request_error',
        'REQUEST.VALIDATION_FAILED',
        'accountNo: is required, 8-32 digits',
        'accountNo',
      );
    }
    const account = await this.requireOwnAccount(
      this.dataSource.manager,
      clientId,
      accountNo,
      'accountNo',
    );
    const rows = await this.dataSource.getRepository(BankPayoutEntity).find({
      where: { payerAccountNo: accountNo, businessDate: date, status: 'SUCCEEDED' },
    });
    return renderStatement(
      account,
      date,
      rows.map((row) => ({
        finishedAt: row.finishedAt!,
        bankTxnNo: row.bankTxnNo,
        requestNo: row.requestNo,
        payeeAccountNo: row.payeeAccountNo,
        payeeAccountName: row.payeeAccountName,
        payeeBankCode: row.payeeBankCode,
        amountMinor: row.amountMinor,
        memo: row.memo,
      })),
    );
  }

  private async requireOwnAccount(
    manager: EntityManager,
    clientId: string,
    accountNo: string,
    param: string,
  ): Promise<BankAccountEntity> {
    const account = await manager.getRepository(BankAccountEntity).findOneBy({ accountNo });
    if (!account || account.clientId !== clientId) {
      throw new AppError(
        'permission_error',
        'BANK.ACCOUNT_NOT_ALLOWED',
        `Account ${accountNo} is not an account of client ${clientId} on this direct link.`,
        param,
      );
    }
    return account;
  }

  private findExisting(
    manager: EntityManager,
    clientId: string,
    requestNo: string,
  ): Promise<BankPayoutEntity | null> {
    return manager.getRepository(BankPayoutEntity).findOneBy({ clientId, requestNo });
  }

  private async insert(
    manager: EntityManager,
    clientId: string,
    request: PayoutRequest,
    fingerprint: string,
    plan: ReturnType<typeof planPayout>,
  ): Promise<BankPayoutEntity | null> {
    const now = new Date();
    const [{ seq }]: Array<{ seq: string }> = await manager.query(
      `SELECT nextval('bank_txn_seq') AS "seq"`,
    );
    const failure = plan.outcome.status === 'FAILED' ? plan.outcome : null;
    const rows: Array<{ bank_txn_no: string }> = await manager.query(
      `INSERT INTO "bank_payouts" ("bank_txn_no", "client_id", "request_no", "fingerprint",
         "payer_account_no", "payee_bank_code", "payee_account_no", "payee_account_name",
         "amount_minor", "currency", "memo", "notify_url", "status", "planned_status",
         "failure_code", "failure_message", "notify", "accepted_at", "completes_at",
         "applied_fault_ids")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'PROCESSING', $13, $14, $15,
         $16, $17, $18, $19)
       ON CONFLICT ("client_id", "request_no") DO NOTHING
       RETURNING "bank_txn_no"`,
      [
        bankTxnNo(shanghaiBusinessDate(now), Number(seq)),
        clientId,
        request.requestNo,
        fingerprint,
        request.payerAccountNo,
        request.payeeBankCode,
        request.payeeAccountNo,
        request.payeeAccountName,
        request.amountMinor,
        request.currency,
        request.memo,
        request.notifyUrl,
        plan.outcome.status,
        failure?.failureCode ?? null,
        failure?.failureMessage ?? null,
        plan.notify,
        now,
        new Date(now.getTime() + this.settings.payoutDelayMs),
        JSON.stringify(plan.applied),
      ],
    );
    if (rows.length === 0) return null;
    return manager.getRepository(BankPayoutEntity).findOneByOrFail({
      bankTxnNo: rows[0].bank_txn_no,
    });
  }
}

function sameRequestOrRefuse(existing: BankPayoutEntity, fingerprint: string): PayoutView {
  if (existing.fingerprint !== fingerprint) {
    throw new AppError(
      'conflict_error',
      'BANK.REQUEST_NO_CONFLICT',
      `Request number ${existing.requestNo} was already used for a different payout; nothing was paid for this request.`,
      'requestNo',
    );
  }
  return payoutView(existing);
}
