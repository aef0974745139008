/**
 * The catalogue of Kafka topics. A topic is one ordered stream owned by one service; the
 * message key (the payment id) keeps one payment's events in order inside it.
 */
export interface TopicDefinition {
  readonly name: string;
  readonly owner: string;
  readonly partitions: number;
  readonly description: string;
}

export const Topics = {
  paymentOrders: {
    name: 'paylab.cashier.payment-orders',
    owner: 'cashier',
    partitions: 3,
    description: 'Lifecycle of merchant payment orders (收银台支付单), keyed by payment id.',
  },
  channelPayments: {
    name: 'paylab.acquiring.channel-payments',
    owner: 'acquiring',
    partitions: 3,
    description: 'Channel transactions confirmed by callback or active query, keyed by payment id.',
  },
  routeDecisionRequests: {
    name: 'paylab.routing.route-decision-requests',
    owner: 'routing',
    partitions: 3,
    description: 'Route decision requests (request/reply); answers go to <topic>.reply.',
  },
  methodOfferRequests: {
    name: 'paylab.routing.method-offer-requests',
    owner: 'routing',
    partitions: 3,
    description: 'Which methods a merchant can take (request/reply); answers go to <topic>.reply.',
  },
  chargeRequests: {
    name: 'paylab.acquiring.charge-requests',
    owner: 'acquiring',
    partitions: 3,
    description: 'Charge requests from checkout (request/reply); answers go to <topic>.reply.',
  },
  refunds: {
    name: 'paylab.cashier.refunds',
    owner: 'cashier',
    partitions: 3,
    description:
      'Lifecycle of refunds (退款单): requested, succeeded, failed; keyed by payment id.',
  },
  channelRefunds: {
    name: 'paylab.acquiring.channel-refunds',
    owner: 'acquiring',
    partitions: 3,
    description: 'Refunds confirmed or refused by the channel, keyed by payment id.',
  },
  closeChargeRequests: {
    name: 'paylab.acquiring.close-charge-requests',
    owner: 'acquiring',
    partitions: 3,
    description:
      "Close a payment's channel trade before its order is closed (request/reply); answers go to <topic>.reply.",
  },
  clearings: {
    name: 'paylab.settlement.clearings',
    owner: 'settlement',
    partitions: 3,
    description: 'Clearing results (清分) posted to the ledger, keyed by payment id.',
  },
  settlementBatches: {
    name: 'paylab.settlement.settlement-batches',
    owner: 'settlement',
    partitions: 3,
    description:
      'Settlement batches (结算批次): created, paid, failed or carried forward; keyed by merchant id.',
  },
  settlementQueries: {
    name: 'paylab.settlement.settlement-queries',
    owner: 'settlement',
    partitions: 3,
    description:
      "A merchant's balance and settlements, read for the Open API (request/reply); answers go to <topic>.reply.",
  },
} as const satisfies Record<string, TopicDefinition>;

export type TopicName = (typeof Topics)[keyof typeof Topics]['name'];

export const ALL_TOPICS: readonly TopicDefinition[] = Object.values(Topics);

/** Poison messages from `<topic>` are parked in `<topic>.dlt`, one partition, kept for audit. */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlt`;
}

export function topicDefinition(name: string): TopicDefinition | undefined {
  return ALL_TOPICS.find((topic) => topic.name === name);
}
