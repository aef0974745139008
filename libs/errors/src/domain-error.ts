/**
 * The one base class of PayLab's coded errors: a broken business rule raised by pure domain code
 * with a stable `code` (`AREA.REASON`, e.g. `REFUND.EXCEEDS_PAID_AMOUNT`). It knows nothing about
 * HTTP or Kafka: the error catalogue in libs/platform maps the code to a response in one place,
 * and message consumers treat it as a permanent failure. Callers branch on `code` (stable), never
 * on `message` (free to be reworded). `param` names the offending request field when there is
 * one; `details` carries machine-readable facts so nobody parses them back out of the message.
 * Areas subclass it only to narrow `code` to their own union.
 */
export class DomainError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly param?: string,
    readonly details?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = new.target.name;
    // Keeps `instanceof` reliable even if this code is ever down-levelled to ES5.
    Object.setPrototypeOf(this, new.target.prototype);
  }
}
