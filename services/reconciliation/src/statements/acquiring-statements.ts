import { Inject, Injectable } from '@nestjs/common';
import { STATEMENT_FORMATS, type ReconChannel, type StatementFormat } from '../recon-runs/domain';

export const ACQUIRING_BASE_URL = Symbol('ACQUIRING_BASE_URL');
/** Reconciliation's own bearer token (role `service`): acquiring's statements are internal. */
export const RECONCILIATION_SERVICE_TOKEN = Symbol('RECONCILIATION_SERVICE_TOKEN');
const DOWNLOAD_TIMEOUT_MS = 30_000;

/** Failing to get the statement is not the caller's fault: retry later (503). */
export class StatementUnavailableError extends Error {
  readonly code = 'RECON.STATEMENT_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'StatementUnavailableError';
  }
}

/**
 * The channel's statement (对账单) for a business date, fetched through acquiring, which owns
 * the channel connections. A file, not a message: plain HTTP with a timeout.
 */
@Injectable()
export class AcquiringStatements {
  constructor(
    @Inject(ACQUIRING_BASE_URL) private readonly baseUrl: string,
    @Inject(RECONCILIATION_SERVICE_TOKEN) private readonly serviceToken: string,
  ) {}

  async download(
    channel: ReconChannel,
    businessDate: string,
    channelAccountId?: string,
  ): Promise<{ format: StatementFormat; content: Buffer; channelAccountId: string | undefined }> {
    // One channel account's statement when asked (each contract has its own bill), else the channel's.
    const query = channelAccountId
      ? `?channelAccountId=${encodeURIComponent(channelAccountId)}`
      : '';
    const url = `${this.baseUrl.replace(/\/$/, '')}/v1/statements/${channel}/${businessDate}${query}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${this.serviceToken}` },
        signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
      });
    } catch (error) {
      throw new StatementUnavailableError(
        `Could not reach acquiring for the ${channel} statement of ${businessDate}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!response.ok) {
      throw new StatementUnavailableError(
        `Acquiring could not provide the ${channel} statement of ${businessDate} (HTTP ${response.status}: ${(await response.text()).slice(0, 300)})`,
      );
    }
    const format = response.headers.get('x-statement-format') ?? '';
    if (!(format in STATEMENT_FORMATS)) {
      throw new StatementUnavailableError(
        `Acquiring sent a statement in an unknown format "${format}".`,
      );
    }
    return {
      format: format as StatementFormat,
      content: Buffer.from(await response.arrayBuffer()),
      // A channel's statement is one account's bill (the default account's when none was named).
      channelAccountId: response.headers.get('x-channel-account-id') ?? channelAccountId,
    };
  }
}
