import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  type ActiveFault,
  type BankFaultKind,
  type FaultParams,
  isBankFault,
} from '../../alipay/domain/faults';

/**
 * A payout (代付) at the sandbox bank: the request, the rules that decide its fate, and what an
 * instructor's faults change about it. Decided once, when the bank accepts the request, and
 * recorded with it; the payout worker only makes the decision visible a moment later.
 */

/** The one bank the sandbox simulates (PayLab 演示银行); payees elsewhere are unreachable. */
export const SANDBOX_BANK_CODE = 'PLBANK';
export const SANDBOX_BANK_NAME = 'PayLab 演示银行';

const text = (max: number) => z.string().max(max);

export const payoutRequestSchema = z
  .object({
    /** The client's idempotent request number (客户流水号). */
    requestNo: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "_" or "-"'),
    payerAccountNo: z.string().regex(/^\d{8,32}$/, 'must be 8-32 digits'),
    payeeBankCode: z.string().regex(/^[A-Z0-9]{2,12}$/, 'must be 2-12 capital letters or digits'),
    payeeAccountNo: z.string().regex(/^\d{8,32}$/, 'must be 8-32 digits'),
    payeeAccountName: text(100).min(1),
    /** Integer fen (分), positive, exact in a double. */
    amountMinor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    currency: z.literal('CNY', { message: 'only CNY is supported' }),
    /** The statement memo (附言) the payee sees. */
    memo: text(120),
    notifyUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(1024),
  })
  .strict();

export type PayoutRequest = z.infer<typeof payoutRequestSchema>;

/**
 * What makes two submissions "the same request": every field, in a fixed order. A request number
 * reused with any other value is a different instruction and is refused.
 */
export function requestFingerprint(request: PayoutRequest): string {
  const fields = [
    request.requestNo,
    request.payerAccountNo,
    request.payeeBankCode,
    request.payeeAccountNo,
    request.payeeAccountName,
    String(request.amountMinor),
    request.currency,
    request.memo,
    request.notifyUrl,
  ];
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex');
}

export type PayoutStatus = 'PROCESSING' | 'SUCCEEDED' | 'FAILED';

export const PAYOUT_FAILURES = {
  ACCOUNT_NOT_FOUND: '收款账户不存在 (payee account not found)',
  NAME_MISMATCH: '户名不符 (payee account name does not match)',
  ACCOUNT_FROZEN: '账户冻结 (payee account is frozen)',
  PAYEE_BANK_UNSUPPORTED: '收款行不支持 (payee bank is not reachable from this bank)',
} as const;
export type PayoutFailureCode = keyof typeof PAYOUT_FAILURES;

export interface BankAccount {
  accountNo: string;
  bankCode: string;
  accountName: string;
  status: 'ACTIVE' | 'FROZEN';
}

export type PayoutOutcome =
  | { status: 'SUCCEEDED' }
  | { status: 'FAILED'; failureCode: PayoutFailureCode; failureMessage: string };

const failed = (failureCode: PayoutFailureCode): PayoutOutcome => ({
  status: 'FAILED',
  failureCode,
  failureMessage: PAYOUT_FAILURES[failureCode],
});

/** The bank's own checks of the payee, in the order a bank runs them. */
export function decidePayout(request: PayoutRequest, payee: BankAccount | null): PayoutOutcome {
  if (request.payeeBankCode !== SANDBOX_BANK_CODE) return failed('PAYEE_BANK_UNSUPPORTED');
  if (!payee || payee.bankCode !== request.payeeBankCode) return failed('ACCOUNT_NOT_FOUND');
  if (payee.status === 'FROZEN') return failed('ACCOUNT_FROZEN');
  if (payee.accountName !== request.payeeAccountName) return failed('NAME_MISMATCH');
  return { status: 'SUCCEEDED' };
}

/** How one payout goes, after the instructor's faults. */
export interface PayoutPlan {
  outcome: PayoutOutcome;
  /** Seconds the HTTP answer is held before the connection is dropped (0: answer at once). */
  holdResponseSeconds: number;
  /** Whether the result notification is sent (a timed-out payout is learnt only by query). */
  notify: boolean;
  /** Ids of the faults used up by this payout. */
  applied: number[];
}

/**
 * What the staged BANK faults do to a payout. A fault naming an account applies only to payouts
 * to that account (and is only then used up); of one kind, the oldest fault that applies wins.
 * A fault is a real refusal: BANK_ACCOUNT_FROZEN and BANK_NAME_MISMATCH fail a payout that would
 * have gone through; a payout the bank's own checks already refuse keeps its own reason.
 */
export function planPayout(
  request: PayoutRequest,
  payee: BankAccount | null,
  active: readonly ActiveFault[],
): PayoutPlan {
  const plan: PayoutPlan = {
    outcome: decidePayout(request, payee),
    holdResponseSeconds: 0,
    notify: true,
    applied: [],
  };
  const seen = new Set<BankFaultKind>();
  for (const fault of [...active].sort((a, b) => a.id - b.id)) {
    const kind = fault.kind;
    if (!isBankFault(kind) || seen.has(kind)) continue;
    const params = fault.params as FaultParams[BankFaultKind];
    if ('accountNo' in params && params.accountNo && params.accountNo !== request.payeeAccountNo) {
      continue;
    }
    seen.add(kind);
    plan.applied.push(fault.id);
    switch (kind) {
      case 'BANK_ACCOUNT_FROZEN':
        if (plan.outcome.status === 'SUCCEEDED') plan.outcome = failed('ACCOUNT_FROZEN');
        break;
      case 'BANK_NAME_MISMATCH':
        if (plan.outcome.status === 'SUCCEEDED') plan.outcome = failed('NAME_MISMATCH');
        break;
      case 'BANK_TIMEOUT_UNKNOWN':
        plan.holdResponseSeconds = (params as FaultParams['BANK_TIMEOUT_UNKNOWN']).holdSeconds;
        plan.notify = false;
        break;
    }
  }
  return plan;
}

/**
 * The bank's transaction number (银行流水号): PLB, the Shanghai date, and 12 digits from a
 * sequence, so it sorts by acceptance and is unique.
 */
export function bankTxnNo(shanghaiDate: string, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) {
    throw new RangeError(`sequence must be a positive integer, got ${sequence}`);
  }
  return `PLB${shanghaiDate.replaceAll('-', '')}${String(sequence % 1e12).padStart(12, '0')}`;
}

/** Result notifications: at once, then 5s, 15s, 30s, 1m, 5m, 15m, 30m, 1h, 2h, 6h (scaled). */
export const BANK_NOTIFY_RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  15_000,
  30_000,
  60_000,
  5 * 60_000,
  15 * 60_000,
  30 * 60_000,
  60 * 60_000,
  2 * 60 * 60_000,
  6 * 60 * 60_000,
];

/** The wait after `attemptsMade` unacknowledged attempts, or null when the schedule is done. */
export function nextBankNotifyDelayMs(attemptsMade: number, timeScale: number): number | null {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) {
    throw new RangeError(`attemptsMade must be a positive integer, got ${attemptsMade}`);
  }
  if (!(timeScale > 0)) throw new RangeError(`timeScale must be positive, got ${timeScale}`);
  const base = BANK_NOTIFY_RETRY_DELAYS_MS[attemptsMade - 1];
  return base === undefined ? null : Math.max(1, Math.round(base * timeScale));
}

/** Any 2xx acknowledges a result notification. */
export function isBankNotifyAcknowledged(status: number): boolean {
  return status >= 200 && status < 300;
}
