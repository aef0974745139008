import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateCharge, type ReplyEnvelope } from '@paylab/contracts';
import { answerRequest } from '@paylab/messaging';
import { ChannelTransactions } from './channel-transactions.service';

/**
 * Charges over Kafka request/reply, for checkout (a payer is waiting for the QR). The same
 * charge as POST /v1/charges: repeating it for a payment returns the same transaction.
 * The channel account routing chose is accepted but not used yet: acquiring has one account
 * per channel, from configuration.
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
}
