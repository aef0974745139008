import { assertRunnableDate, datesToRun, END_OF_DAY_JOBS } from './end-of-day-plan';

describe('end-of-day plan', () => {
  it('runs the jobs in the documented order', () => {
    expect(END_OF_DAY_JOBS).toEqual([
      'RELEASE_RESERVES',
      'BUILD_BATCHES',
      'PAY_OUT',
      'CLOSE_BOOKS',
    ]);
  });

  it('catches up every date missed after downtime, oldest first', () => {
    expect(
      datesToRun({ target: '2026-03-04', lastCompleted: '2026-03-01', firstDate: '2026-01-01' }),
    ).toEqual(['2026-03-02', '2026-03-03', '2026-03-04']);
  });

  it('does nothing for a date already done', () => {
    expect(
      datesToRun({ target: '2026-03-01', lastCompleted: '2026-03-01', firstDate: '2026-01-01' }),
    ).toEqual([]);
    expect(
      datesToRun({ target: '2026-02-20', lastCompleted: '2026-03-01', firstDate: '2026-01-01' }),
    ).toEqual([]);
  });

  it('starts the first run at the first date, or at the target if that is earlier', () => {
    expect(
      datesToRun({ target: '2026-03-02', lastCompleted: null, firstDate: '2026-03-01' }),
    ).toEqual(['2026-03-01', '2026-03-02']);
    expect(
      datesToRun({ target: '2026-03-02', lastCompleted: null, firstDate: '2026-03-05' }),
    ).toEqual(['2026-03-02']);
  });

  it('refuses malformed dates and dates too far ahead', () => {
    for (const bad of ['2026-02-30', 'tomorrow', '', null, 20260301, '2026-03-01\u0000']) {
      expect(() => assertRunnableDate(bad, '2026-03-01', 7)).toThrow(
        expect.objectContaining({ code: 'END_OF_DAY.INVALID_DATE' }),
      );
    }
    expect(() => assertRunnableDate('2026-03-09', '2026-03-01', 7)).toThrow(
      expect.objectContaining({ code: 'END_OF_DAY.TOO_FAR_AHEAD' }),
    );
    expect(assertRunnableDate('2026-03-08', '2026-03-01', 7)).toBe('2026-03-08');
    expect(assertRunnableDate('2020-01-01', '2026-03-01', 7)).toBe('2020-01-01');
  });
});
