import { z } from 'zod';

/**
 * Instructor fault injection (故障注入): what can go wrong between a channel and the platform,
 * staged on purpose so a class can watch the platform cope. A payment fault applies to the next
 * `remaining` payments, a refund fault to the next `remaining` refunds; what it does is decided
 * once, when the payment or refund happens, and recorded with it, so a statement downloaded
 * later shows the same fault.
 */
export const PAYMENT_FAULT_KINDS = [
  'DROP_CALLBACK',
  'DELAY_CALLBACK',
  'DUPLICATE_CALLBACK',
  'OMIT_FROM_STATEMENT',
  'STATEMENT_AMOUNT_DELTA',
  'STATEMENT_STATUS',
  'EXTRA_STATEMENT_LINE',
] as const;
export const REFUND_FAULT_KINDS = [
  'REFUND_FAILS',
  'REFUND_RESULT_DELAYED',
  'DROP_REFUND_NOTIFICATION',
] as const;
/**
 * Faults of a close (关单): the channel's answer to a close says one thing while a payment that
 * was already under way goes through, the race every close at a channel has.
 */
export const CLOSE_FAULT_KINDS = ['CLOSE_CROSSES_PAYMENT'] as const;
/**
 * Faults of the simulated bank's payouts (代付, channel BANK): a payee refused, or an answer that
 * never arrives although the bank paid. Applied to the next `remaining` payouts.
 */
export const BANK_FAULT_KINDS = [
  'BANK_ACCOUNT_FROZEN',
  'BANK_NAME_MISMATCH',
  'BANK_TIMEOUT_UNKNOWN',
] as const;
export const FAULT_KINDS = [
  ...PAYMENT_FAULT_KINDS,
  ...REFUND_FAULT_KINDS,
  ...CLOSE_FAULT_KINDS,
  ...BANK_FAULT_KINDS,
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type PaymentFaultKind = (typeof PAYMENT_FAULT_KINDS)[number];
export type RefundFaultKind = (typeof REFUND_FAULT_KINDS)[number];
export type BankFaultKind = (typeof BANK_FAULT_KINDS)[number];

export const FAULT_CHANNELS = ['ALIPAY', 'WECHAT_PAY', 'BANK'] as const;
export type FaultChannel = (typeof FAULT_CHANNELS)[number];

/** The parameters each kind accepts; defaults make `params` optional for every kind. */
export const FAULT_PARAMS = {
  /** The notification is never sent (acquiring must find the payment by querying, 主动查询). */
  DROP_CALLBACK: z.object({}).strict(),
  /** The first notification waits `delaySeconds` (real seconds, not scaled). */
  DELAY_CALLBACK: z
    .object({ delaySeconds: z.number().int().min(1).max(86_400).default(60) })
    .strict(),
  /** The same notification (same notify_id) is delivered `copies` times, even after `success`. */
  DUPLICATE_CALLBACK: z.object({ copies: z.number().int().min(2).max(10).default(2) }).strict(),
  /** The payment is missing from the statement (短款 for the platform). */
  OMIT_FROM_STATEMENT: z.object({}).strict(),
  /** The statement shows the amount off by `deltaFen` (金额不符). */
  STATEMENT_AMOUNT_DELTA: z
    .object({
      deltaFen: z
        .number()
        .int()
        .min(-1_000_000)
        .max(1_000_000)
        .refine((value) => value !== 0, 'must not be 0')
        .default(1),
    })
    .strict(),
  /**
   * The statement lists the payment as a refund (退款) instead of a trade (状态不符). Reconciliation
   * matches refund lines as refunds, so it shows both halves: the payment missing from the
   * statement (MISSING_IN_CHANNEL) and a refund the platform never asked for
   * (REFUND_MISSING_IN_PLATFORM).
   */
  STATEMENT_STATUS: z.object({ businessType: z.enum(['退款']).default('退款') }).strict(),
  /** The statement carries one more trade the platform never saw (长款); amount defaults to the payment's. */
  EXTRA_STATEMENT_LINE: z
    .object({ amountFen: z.number().int().min(1).max(10_000_000_000).optional() })
    .strict(),
  /**
   * The channel refuses the next refund for good: Alipay answers a business error
   * (ACQ.SELLER_BALANCE_NOT_ENOUGH), WeChat Pay accepts it and ends it ABNORMAL (REFUND.ABNORMAL).
   */
  REFUND_FAILS: z.object({}).strict(),
  /**
   * The refund stays processing for `delaySeconds` (real seconds): Alipay answers fund_change N
   * and its refund query says nothing final until then; WeChat Pay says PROCESSING.
   */
  REFUND_RESULT_DELAYED: z
    .object({ delaySeconds: z.number().int().min(1).max(86_400).default(30) })
    .strict(),
  /** WeChat Pay never sends the refund notification; the refund still completes at the channel. */
  DROP_REFUND_NOTIFICATION: z.object({}).strict(),
  /**
   * The next close is acknowledged but the trade stays payable, as if the payer's payment had
   * crossed the close at the channel: the payment that follows is a late payment for the platform
   * (迟到支付), which must return it to the payer.
   */
  CLOSE_CROSSES_PAYMENT: z.object({}).strict(),
  /**
   * The bank refuses the next payout for good: 账户冻结 (ACCOUNT_FROZEN). With `accountNo`, only
   * a payout to that payee account is refused (and only such a payout uses the fault up).
   */
  BANK_ACCOUNT_FROZEN: z
    .object({
      accountNo: z
        .string()
        .regex(/^\d{8,32}$/)
        .optional(),
    })
    .strict(),
  /** The bank refuses the next payout: 户名不符 (NAME_MISMATCH); `accountNo` narrows it as above. */
  BANK_NAME_MISMATCH: z
    .object({
      accountNo: z
        .string()
        .regex(/^\d{8,32}$/)
        .optional(),
    })
    .strict(),
  /**
   * The bank takes the next payout and pays it, but its HTTP answer never arrives: the connection
   * is held `holdSeconds` (real seconds, past any sane client timeout) and then dropped, and no
   * result notification is sent. Only a query (查询) tells the client what happened.
   */
  BANK_TIMEOUT_UNKNOWN: z
    .object({ holdSeconds: z.number().int().min(1).max(600).default(30) })
    .strict(),
} satisfies Record<FaultKind, z.ZodType>;

export type FaultParams = { [K in FaultKind]: z.infer<(typeof FAULT_PARAMS)[K]> };

export class FaultParamsError extends Error {
  readonly code = 'FAULT.INVALID_PARAMS';
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
    this.name = 'FaultParamsError';
  }
}

/** Validates and fills in a fault's parameters for its kind. */
export function parseFaultParams<K extends FaultKind>(kind: K, params: unknown): FaultParams[K] {
  const result = FAULT_PARAMS[kind].safeParse(params ?? {});
  if (result.success) return result.data as FaultParams[K];
  const issue = result.error.issues[0];
  const unknownKeys =
    issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys : undefined;
  const field = unknownKeys?.[0] ?? issue.path.map(String).join('.');
  const param = field ? `params.${field}` : 'params';
  throw new FaultParamsError(
    unknownKeys?.length ? `${kind} does not take ${param}.` : `${param}: ${issue.message}`,
    param,
  );
}

export interface ActiveFault<K extends FaultKind = FaultKind> {
  id: number;
  kind: K;
  params: FaultParams[K];
}

/** How the notification of one payment is sent. */
export interface CallbackPlan {
  drop: boolean;
  delaySeconds: number;
  copies: number;
}

/** How one payment appears on the statement; recorded on the trade (statement_faults). */
export interface StatementPlan {
  omit?: true;
  amountDeltaFen?: number;
  businessType?: '退款';
  /** An extra line of this many fen; 0 means the payment's own amount. */
  extraLineAmountFen?: number;
}

export interface PaymentFaultPlan {
  callback: CallbackPlan;
  statement: StatementPlan;
  /** Ids of the faults used up by this payment (each loses one of its `remaining`). */
  applied: number[];
}

/**
 * What the active faults do to the next payment. Faults of different kinds combine; of one
 * kind the oldest wins (and only it is used up), so stacking two of a kind queues them.
 * Refund faults are not a payment's business and are left alone.
 */
export function planPaymentFaults(active: readonly ActiveFault[]): PaymentFaultPlan {
  const plan: PaymentFaultPlan = {
    callback: { drop: false, delaySeconds: 0, copies: 1 },
    statement: {},
    applied: [],
  };
  const seen = new Set<FaultKind>();
  for (const fault of [...active].sort((a, b) => a.id - b.id)) {
    if (seen.has(fault.kind) || !isPaymentFault(fault.kind)) continue;
    seen.add(fault.kind);
    plan.applied.push(fault.id);
    applyFault(plan, fault);
  }
  return plan;
}

function applyFault(plan: PaymentFaultPlan, fault: ActiveFault): void {
  switch (fault.kind as PaymentFaultKind) {
    case 'DROP_CALLBACK':
      plan.callback.drop = true;
      return;
    case 'DELAY_CALLBACK':
      plan.callback.delaySeconds = (fault.params as FaultParams['DELAY_CALLBACK']).delaySeconds;
      return;
    case 'DUPLICATE_CALLBACK':
      plan.callback.copies = (fault.params as FaultParams['DUPLICATE_CALLBACK']).copies;
      return;
    case 'OMIT_FROM_STATEMENT':
      plan.statement.omit = true;
      return;
    case 'STATEMENT_AMOUNT_DELTA':
      plan.statement.amountDeltaFen = (
        fault.params as FaultParams['STATEMENT_AMOUNT_DELTA']
      ).deltaFen;
      return;
    case 'STATEMENT_STATUS':
      plan.statement.businessType = (fault.params as FaultParams['STATEMENT_STATUS']).businessType;
      return;
    case 'EXTRA_STATEMENT_LINE':
      plan.statement.extraLineAmountFen =
        (fault.params as FaultParams['EXTRA_STATEMENT_LINE']).amountFen ?? 0;
      return;
  }
}

export function isPaymentFault(kind: FaultKind): kind is PaymentFaultKind {
  return (PAYMENT_FAULT_KINDS as readonly string[]).includes(kind);
}

export function isRefundFault(kind: FaultKind): kind is RefundFaultKind {
  return (REFUND_FAULT_KINDS as readonly string[]).includes(kind);
}

export function isBankFault(kind: FaultKind): kind is BankFaultKind {
  return (BANK_FAULT_KINDS as readonly string[]).includes(kind);
}

/** How one refund goes at the channel, decided once when the channel accepts it. */
export interface RefundFaultPlan {
  /** The channel refuses it (Alipay) or ends it ABNORMAL (WeChat Pay). */
  fails: boolean;
  /** Seconds the refund stays processing before its result is final (0: at once). */
  delaySeconds: number;
  /** WeChat Pay sends no refund notification. */
  dropNotification: boolean;
  /** Ids of the faults used up by this refund. */
  applied: number[];
}

/**
 * What the active faults do to the next refund; like payments, kinds combine and of one kind
 * only the oldest is used up. Payment faults are left alone.
 */
export function planRefundFaults(active: readonly ActiveFault[]): RefundFaultPlan {
  const plan: RefundFaultPlan = {
    fails: false,
    delaySeconds: 0,
    dropNotification: false,
    applied: [],
  };
  const seen = new Set<FaultKind>();
  for (const fault of [...active].sort((a, b) => a.id - b.id)) {
    if (seen.has(fault.kind) || !isRefundFault(fault.kind)) continue;
    seen.add(fault.kind);
    plan.applied.push(fault.id);
    switch (fault.kind) {
      case 'REFUND_FAILS':
        plan.fails = true;
        break;
      case 'REFUND_RESULT_DELAYED':
        plan.delaySeconds = (fault.params as FaultParams['REFUND_RESULT_DELAYED']).delaySeconds;
        break;
      case 'DROP_REFUND_NOTIFICATION':
        plan.dropNotification = true;
        break;
    }
  }
  return plan;
}
