import { SETTLEMENT_BATCH_STATES } from '@paylab/contracts';
import { z } from 'zod';

/**
 * The merchant's query string of GET /v1/settlements, checked strictly before anything is asked of
 * settlement: every value is a single string (a repeated name arrives as an array and is refused),
 * in a closed format, so NUL bytes, huge numbers and stray characters never get through, and an
 * unknown name is refused rather than ignored (a typo such as `from=` would otherwise silently
 * return everything).
 */
export const DEFAULT_SETTLEMENTS_PAGE_SIZE = 20;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'must be a real calendar date');

export const listSettlementsQuery = z
  .object({
    limit: z
      .string()
      .regex(/^[1-9][0-9]{0,2}$/, 'must be a whole number from 1 to 100')
      .transform(Number)
      .refine((value) => value <= 100, 'must be a whole number from 1 to 100')
      .optional(),
    cursor: z
      .string()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .regex(/^[A-Za-z0-9_-]+$/, 'must be the nextCursor of a previous page')
      .optional(),
    state: z.enum(SETTLEMENT_BATCH_STATES).optional(),
    from_date: isoDate.optional(),
    to_date: isoDate.optional(),
  })
  .strict()
  .refine(
    (query) =>
      query.from_date === undefined ||
      query.to_date === undefined ||
      query.from_date <= query.to_date,
    { message: 'must not be after to_date', path: ['from_date'] },
  )
  .transform((query) => ({
    limit: query.limit ?? DEFAULT_SETTLEMENTS_PAGE_SIZE,
    cursor: query.cursor,
    state: query.state,
    fromDate: query.from_date,
    toDate: query.to_date,
  }));

export type ListSettlementsQuery = z.infer<typeof listSettlementsQuery>;

/** A settlement id in a path: `stb_` and 26 Crockford base-32 characters. */
export const settlementIdParam = z
  .string()
  .regex(/^stb_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a settlement id (stb_…)');

/** Endpoints without parameters refuse any query string rather than ignore it. */
export const noQuery = z.object({}).strict();
