import type { ValueTransformer } from 'typeorm';

/**
 * Money columns are Postgres bigint (minor units). pg returns bigint as a string to avoid
 * precision loss; we convert it back to a number and refuse anything beyond 2^53.
 */
export const bigintNumberTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => {
    if (value === null || value === undefined) return value;
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed))
      throw new Error(`bigint ${value} does not fit a safe integer`);
    return parsed;
  },
};
