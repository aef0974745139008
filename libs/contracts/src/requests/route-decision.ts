import { z } from 'zod';
import { channelCode, currencyCode, prefixedId } from '../events/common';
import { Topics } from '../topics';
import { defineRequest } from './define-request';

const candidate = z.object({
  channelAccountId: z.string(),
  channel: channelCode,
  channelMerchantNo: z.string(),
});

export const DecideRoute = defineRequest({
  topic: Topics.routeDecisionRequests.name,
  description:
    'Which channel account should take this payment, with fallbacks (asked by cashier at checkout).',
  request: z.object({
    merchantId: prefixedId('mch'),
    method: z.enum(['ALIPAY', 'WECHAT_PAY', 'UNIONPAY']),
    amount: z.object({ amountMinor: z.number().int().safe(), currency: currencyCode }),
    device: z.enum(['MOBILE', 'DESKTOP']).optional(),
  }),
  response: z.object({
    decisionId: prefixedId('rtd'),
    chosen: candidate,
    fallbacks: z.array(candidate),
  }),
});

export const OfferMethods = defineRequest({
  topic: Topics.methodOfferRequests.name,
  description:
    'Which payment methods can this merchant take for this amount and device (the checkout page asks).',
  request: z.object({
    merchantId: prefixedId('mch'),
    amount: z.object({ amountMinor: z.number().int().safe(), currency: currencyCode }),
    device: z.enum(['MOBILE', 'DESKTOP']).optional(),
  }),
  response: z.object({
    methods: z.array(
      z.object({ method: z.enum(['ALIPAY', 'WECHAT_PAY', 'UNIONPAY']), channel: channelCode }),
    ),
  }),
});
