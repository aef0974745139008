import { Injectable } from '@nestjs/common';
import { SettlementQuery, type RequestOf, type ResponseOf } from '@paylab/contracts';
import { KafkaRequestClient } from '@paylab/messaging';
import type { ListSettlementsQuery } from './domain/settlement-query-params';

type Response<Q extends string> = Extract<ResponseOf<typeof SettlementQuery>, { query: Q }>;

/**
 * Asks settlement (request/reply) about one merchant's money. The merchant id is always the one
 * the guard took from the verified signature. Settlement's coded errors come back as
 * RequestFailedError with their code (SETTLEMENT.NOT_FOUND → 404, SETTLEMENT.INVALID_CURSOR →
 * 400), and a settlement that does not answer is REQUEST.TIMEOUT / REQUEST.UNAVAILABLE → 503.
 */
@Injectable()
export class MerchantSettlements {
  constructor(private readonly requests: KafkaRequestClient) {}

  async balance(merchantId: string): Promise<Response<'BALANCE'>['balance']> {
    const reply = await this.ask({ query: 'BALANCE', merchantId });
    return (reply as Response<'BALANCE'>).balance;
  }

  async list(
    merchantId: string,
    query: ListSettlementsQuery,
  ): Promise<Response<'LIST_SETTLEMENTS'>> {
    const reply = await this.ask({
      query: 'LIST_SETTLEMENTS',
      merchantId,
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.state === undefined ? {} : { state: query.state }),
      ...(query.fromDate === undefined ? {} : { fromDate: query.fromDate }),
      ...(query.toDate === undefined ? {} : { toDate: query.toDate }),
    });
    return reply as Response<'LIST_SETTLEMENTS'>;
  }

  async get(
    merchantId: string,
    settlementId: string,
  ): Promise<Response<'GET_SETTLEMENT'>['settlement']> {
    const reply = await this.ask({ query: 'GET_SETTLEMENT', merchantId, settlementId });
    return (reply as Response<'GET_SETTLEMENT'>).settlement;
  }

  async statement(
    merchantId: string,
    settlementId: string,
  ): Promise<Response<'SETTLEMENT_STATEMENT'>> {
    const reply = await this.ask({ query: 'SETTLEMENT_STATEMENT', merchantId, settlementId });
    return reply as Response<'SETTLEMENT_STATEMENT'>;
  }

  /** The reply must answer the question asked: a mismatch is settlement's fault (never 200). */
  private async ask(
    request: RequestOf<typeof SettlementQuery>,
  ): Promise<ResponseOf<typeof SettlementQuery>> {
    const reply = await this.requests.request(SettlementQuery, request);
    if (reply.query !== request.query) {
      throw new Error(`settlement answered ${reply.query} to ${request.query}`);
    }
    return reply;
  }
}
