import { assertBatchTransition, canMoveBatch, isFinalBatchState } from './batch-state';

describe('settlement batch state machine', () => {
  it('pays, fails, retries and supersedes along the documented edges only', () => {
    expect(canMoveBatch('CREATED', 'PAYING')).toBe(true);
    expect(canMoveBatch('PAYING', 'PAID')).toBe(true);
    expect(canMoveBatch('PAYING', 'FAILED')).toBe(true);
    expect(canMoveBatch('FAILED', 'PAYING')).toBe(true);
    expect(canMoveBatch('FAILED', 'SUPERSEDED')).toBe(true);
    expect(canMoveBatch('CREATED', 'SUPERSEDED')).toBe(true);
    expect(canMoveBatch('CREATED', 'PAID')).toBe(false);
    expect(canMoveBatch('PAID', 'FAILED')).toBe(false);
    expect(canMoveBatch('SUPERSEDED', 'PAYING')).toBe(false);
    expect(canMoveBatch('CARRIED_FORWARD', 'PAYING')).toBe(false);
  });

  it('names final states and refuses illegal moves with a coded error', () => {
    expect(
      ['PAID', 'CARRIED_FORWARD', 'SUPERSEDED'].every((s) => isFinalBatchState(s as never)),
    ).toBe(true);
    expect(() => assertBatchTransition('stb_x', 'PAID', 'PAYING')).toThrow(
      expect.objectContaining({ code: 'SETTLEMENT_BATCH.ILLEGAL_TRANSITION' }),
    );
  });
});
