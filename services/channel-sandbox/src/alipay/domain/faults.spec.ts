import {
  type ActiveFault,
  FaultParamsError,
  parseFaultParams,
  planPaymentFaults,
  planRefundFaults,
} from './faults';

describe('fault injection', () => {
  it('fills defaults and rejects unknown or invalid params', () => {
    expect(parseFaultParams('DUPLICATE_CALLBACK', undefined)).toEqual({ copies: 2 });
    expect(parseFaultParams('STATEMENT_AMOUNT_DELTA', { deltaFen: -5 })).toEqual({ deltaFen: -5 });
    expect(() => parseFaultParams('STATEMENT_AMOUNT_DELTA', { deltaFen: 0 })).toThrow(
      FaultParamsError,
    );
    expect(() => parseFaultParams('DROP_CALLBACK', { x: 1 })).toThrow(/params\.x/);
    expect(() => parseFaultParams('DELAY_CALLBACK', { delaySeconds: 1.5 })).toThrow(
      FaultParamsError,
    );
  });

  it('combines kinds, and of one kind uses only the oldest', () => {
    const plan = planPaymentFaults([
      { id: 3, kind: 'DUPLICATE_CALLBACK', params: { copies: 3 } },
      { id: 2, kind: 'DUPLICATE_CALLBACK', params: { copies: 2 } },
      { id: 5, kind: 'OMIT_FROM_STATEMENT', params: {} },
      { id: 7, kind: 'DELAY_CALLBACK', params: { delaySeconds: 30 } },
    ]);
    expect(plan).toEqual({
      callback: { drop: false, delaySeconds: 30, copies: 2 },
      statement: { omit: true },
      applied: [2, 5, 7],
    });
    expect(planPaymentFaults([])).toEqual({
      callback: { drop: false, delaySeconds: 0, copies: 1 },
      statement: {},
      applied: [],
    });
  });
});

describe('refund faults', () => {
  it('plan the next refund and leave payment faults alone (and the reverse)', () => {
    const active: ActiveFault[] = [
      { id: 1, kind: 'DROP_CALLBACK' as const, params: {} },
      { id: 2, kind: 'REFUND_RESULT_DELAYED' as const, params: { delaySeconds: 5 } },
      { id: 3, kind: 'REFUND_FAILS' as const, params: {} },
      { id: 4, kind: 'REFUND_FAILS' as const, params: {} },
      { id: 5, kind: 'DROP_REFUND_NOTIFICATION' as const, params: {} },
    ];
    expect(planRefundFaults(active)).toEqual({
      fails: true,
      delaySeconds: 5,
      dropNotification: true,
      applied: [2, 3, 5],
    });
    expect(planPaymentFaults(active).applied).toEqual([1]);
    expect(planRefundFaults([])).toEqual({
      fails: false,
      delaySeconds: 0,
      dropNotification: false,
      applied: [],
    });
    expect(parseFaultParams('REFUND_RESULT_DELAYED', undefined)).toEqual({ delaySeconds: 30 });
    expect(() => parseFaultParams('REFUND_FAILS', { x: 1 })).toThrow(FaultParamsError);
  });
});
