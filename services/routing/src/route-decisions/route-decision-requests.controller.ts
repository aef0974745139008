import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DecideRoute, OfferMethods, type ReplyEnvelope } from '@paylab/contracts';
import { answerRequest } from '@paylab/messaging';
import { RouteDecisions } from './route-decisions.service';

/**
 * Route decisions over Kafka request/reply, for callers with a person waiting (cashier at
 * checkout). Same decision, same stored trace as POST /v1/route-decisions.
 */
@Controller()
export class RouteDecisionRequestsController {
  constructor(private readonly decisions: RouteDecisions) {}

  @MessagePattern(DecideRoute.topic)
  decide(@Payload() data: unknown): Promise<ReplyEnvelope> {
    return answerRequest(DecideRoute, data, async (request) => {
      const outcome = await this.decisions.decide(request);
      if (outcome.kind === 'NO_CHANNEL_AVAILABLE') {
        throw Object.assign(outcome.error, {
          message: `${outcome.error.message} Decision ${outcome.decision.id} holds the trace.`,
        });
      }
      const { chosen, fallbacks } = outcome.decision;
      const pick = (candidate: NonNullable<typeof chosen>) => ({
        channelAccountId: candidate.channelAccountId,
        channel: candidate.channel,
        channelMerchantNo: candidate.channelMerchantNo,
      });
      return {
        decisionId: outcome.decision.id,
        chosen: pick(chosen!),
        fallbacks: fallbacks.map(pick),
      };
    });
  }

  /** The methods checkout may offer: each method that would route, decided without storing. */
  @MessagePattern(OfferMethods.topic)
  offer(@Payload() data: unknown): Promise<ReplyEnvelope> {
    return answerRequest(OfferMethods, data, async (request) => {
      const methods = [];
      for (const method of ['ALIPAY', 'WECHAT_PAY', 'UNIONPAY'] as const) {
        const simulation = await this.decisions
          .simulate({ ...request, method }, {})
          .catch((error: unknown) => {
            if ((error as { code?: string }).code === 'ROUTING.MERCHANT_HAS_NO_CHANNEL_ACCOUNTS')
              return undefined;
            throw error;
          });
        if (simulation?.chosen) methods.push({ method, channel: simulation.chosen.channel });
      }
      return { methods };
    });
  }
}
