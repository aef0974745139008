import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { SettlementQuery, type ReplyEnvelope } from '@paylab/contracts';
import { answerRequest } from '@paylab/messaging';
import { MerchantSettlements } from './merchant-settlements.service';

/**
 * Answers cashier's SettlementQuery (request/reply over Kafka) for the merchant Open API: a
 * merchant's balance, its settlements, one settlement with items, or its statement file. Coded
 * errors (SETTLEMENT.NOT_FOUND, SETTLEMENT.INVALID_CURSOR, …) go back in the reply envelope.
 */
@Controller()
export class SettlementQueriesController {
  constructor(private readonly settlements: MerchantSettlements) {}

  @MessagePattern(SettlementQuery.topic)
  answer(@Payload() data: unknown): Promise<ReplyEnvelope> {
    return answerRequest(SettlementQuery, data, (request) => {
      switch (request.query) {
        case 'BALANCE':
          return this.settlements.balance(request);
        case 'LIST_SETTLEMENTS':
          return this.settlements.list(request);
        case 'GET_SETTLEMENT':
          return this.settlements.get(request);
        case 'SETTLEMENT_STATEMENT':
          return this.settlements.statement(request);
      }
    });
  }
}
