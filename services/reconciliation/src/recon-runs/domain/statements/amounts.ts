import { divideRounded, Money, MoneyError, type CurrencyCode } from '@paylab/money';
import { statementMalformed } from '../recon-error';

/** A yuan amount such as `12.34` or `-0.01` to signed fen; anything else is a malformed line. */
export function yuanToMinor(
  value: string,
  currency: CurrencyCode,
  column: string,
  lineNo: number,
): number {
  try {
    return Money.fromDecimalString(value, currency).amountMinor;
  } catch (error) {
    if (error instanceof MoneyError) {
      throw statementMalformed(lineNo, `${column} is not an amount: "${value}" (${error.code})`);
    }
    throw error;
  }
}

const FEE_PATTERN = /^(-?)(0|[1-9]\d*)(?:\.(\d{1,5}))?$/;

/**
 * WeChat writes the fee (手续费) with five decimals of a yuan (`0.00018`). We keep fees in fen, so
 * the three extra digits are rounded HALF_UP (四舍五入), the rule WeChat itself applies when it
 * settles the fee. The result is the positive size of the fee.
 */
export function feeYuan5ToMinor(value: string, column: string, lineNo: number): number {
  const match = FEE_PATTERN.exec(value);
  if (!match) throw statementMalformed(lineNo, `${column} is not an amount: "${value}"`);
  const hundredThousandths = BigInt(match[2] + (match[3] ?? '').padEnd(5, '0'));
  const fen = divideRounded(hundredThousandths, 1000n, 'HALF_UP');
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw statementMalformed(lineNo, `${column} is out of range: "${value}"`);
  }
  return Number(fen);
}
