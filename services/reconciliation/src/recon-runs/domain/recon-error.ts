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

export class ReconError extends Error {
  constructor(
    readonly code: ReconErrorCode,
    message: string,
    readonly param?: string,
    /** 1-based line of the statement file at fault, for RECON.STATEMENT_MALFORMED. */
    readonly line?: number,
  ) {
    super(message);
    this.name = 'ReconError';
    // Keeps `instanceof ReconError` reliable even if this code is ever down-levelled to ES5.
    Object.setPrototypeOf(this, new.target.prototype);
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
