/**
 * Another channel number of the same shape, derived from a real one (its last digit moved on by
 * one), so an extra statement line is stable across downloads and never collides with the real one.
 */
export function neighbourNumberOf(number: string): string {
  const last = Number(number.slice(-1));
  return `${number.slice(0, -1)}${Number.isInteger(last) ? (last + 1) % 10 : 9}`;
}
