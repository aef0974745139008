import {
  assertPayoutTransition,
  decideAfterQuery,
  decideAfterSubmission,
  nextPayoutAction,
  queryBackoffMs,
} from './payout';

describe('payout decisions', () => {
  it('submits a fresh payout once and only asks after that', () => {
    expect(nextPayoutAction({ state: 'SUBMITTING', submitAttempts: 0 })).toBe('SUBMIT');
    expect(nextPayoutAction({ state: 'SUBMITTING', submitAttempts: 1 })).toBe('QUERY');
    expect(nextPayoutAction({ state: 'UNKNOWN', submitAttempts: 1 })).toBe('QUERY');
    expect(nextPayoutAction({ state: 'SENT', submitAttempts: 1 })).toBe('QUERY');
    expect(nextPayoutAction({ state: 'PAID', submitAttempts: 1 })).toBeNull();
    expect(nextPayoutAction({ state: 'FAILED', submitAttempts: 1 })).toBeNull();
  });

  it('treats a timeout as unknown and queries it, never as a failure', () => {
    const decision = decideAfterSubmission({ outcome: 'UNKNOWN', reason: 'timeout' }, 0);
    expect(decision).toEqual({ to: 'UNKNOWN', retryInMs: 1000 });
  });

  it('finishes on a definite answer', () => {
    const finishedAt = new Date('2026-03-02T01:00:00Z');
    expect(
      decideAfterSubmission({ outcome: 'SUCCEEDED', bankTxnNo: 'B1', finishedAt }, 0),
    ).toMatchObject({ to: 'PAID', bankTxnNo: 'B1', finishedAt });
    expect(
      decideAfterQuery(
        'UNKNOWN',
        {
          status: 'FAILED',
          bankTxnNo: null,
          failureCode: 'ACCOUNT_FROZEN',
          failureMessage: 'frozen',
        },
        3,
      ),
    ).toMatchObject({ to: 'FAILED', failureCode: 'ACCOUNT_FROZEN' });
  });

  it('resubmits only when the bank says it never received the payout', () => {
    expect(decideAfterQuery('UNKNOWN', { status: 'NOT_FOUND' }, 2)).toEqual({
      to: 'SUBMITTING',
      resubmit: true,
    });
    expect(decideAfterQuery('SENT', { status: 'PROCESSING', bankTxnNo: 'B2' }, 2)).toMatchObject({
      to: 'SENT',
      retryInMs: 4000,
    });
  });

  it('backs off up to a minute', () => {
    expect([0, 1, 5, 6, 30].map(queryBackoffMs)).toEqual([1000, 2000, 32000, 60000, 60000]);
  });

  it('refuses to move a final payout', () => {
    expect(() => assertPayoutTransition('po_x', 'PAID', 'FAILED')).toThrow(/cannot move/);
    expect(() => assertPayoutTransition('po_x', 'FAILED', 'SUBMITTING')).toThrow(/cannot move/);
    expect(() => assertPayoutTransition('po_x', 'UNKNOWN', 'PAID')).not.toThrow();
  });
});
