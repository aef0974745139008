import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CloseCharge, CreateCharge, type ReplyEnvelope } from '@paylab/contracts';
import { answerRequest } from '@paylab/messaging';
import { ChannelTransactions } from './channel-transactions.service';

/**
 * Charges and closes over Kafka request/reply: checkout's charge (a payer is waiting for the
 * QR; the same charge as POST /v1/charges, repeatable, signed with the account routing chose)
 * and cashier's close of a PROCESSING order (the merchant waits for the answer).
 */
@Controller()
export class ChargeRequestsController {
  constructor(private readonly transactions: ChannelTransactions) {}

  @MessagePattern(CreateCharge.topic)
  charge(@Payload() data: unknown): Promise<ReplyEnvelope> {
    return answerRequest(CreateCharge, data, async (request) => {
      const charge = await this.transactions.charge({
        paymentId: request.paymentId,
        merchantId: request.merchantId,
        channel: request.channel,
        channelAccountId: request.channelAccountId,
        amount: request.amount,
        subject: request.subject,
        expiresAt: new Date(request.expiresAt),
      });
      return {
        transactionId: charge.transactionId,
        channel: request.channel,
        qrPayload: charge.qrPayload,
      };
    });
  }

  @MessagePattern(CloseCharge.topic)
  close(@Payload() data: unknown): Promise<ReplyEnvelope> {
    return answerRequest(CloseCharge, data, (request) =>
      this.transactions.closeCharge(request.paymentId, request.merchantId),
    );
  }
}
