import { DomainError } from '@paylab/errors';

/**
 * Stable, machine-readable codes for reconciliation (对账) failures. Callers (the API error
 * mapper, tests) branch on `code`, never on `message`. `param` names the request field at fault.
 */
export type ReconErrorCode =
  /** The statement file cannot be read as its format; the message names the line. */
  | 'RECON.STATEMENT_MALFORMED'
  /** The statement format belongs to another channel than the run's. */
  | 'RECON.STATEMENT_CHANNEL_MISMATCH'
  /** The matcher was called with inputs that break its preconditions (a programming error). */
  | 'RECON.INVALID_INPUT';

export class ReconError extends DomainError<ReconErrorCode> {
  constructor(
    code: ReconErrorCode,
    message: string,
    param?: string,
    /** 1-based line of the statement file at fault, for RECON.STATEMENT_MALFORMED. */
    readonly line?: number,
  ) {
    super(code, message, param);
  }
}

/** A malformed statement: the line number is in the message too, since the API shape has no field for it. */
export function statementMalformed(line: number, reason: string): ReconError {
  return new ReconError(
    'RECON.STATEMENT_MALFORMED',
    `Statement line ${line}: ${reason}`,
    'statement.contentBase64',
    line,
  );
}
