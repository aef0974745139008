import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CreateCharge, DecideRoute, OfferMethods, PaymentOrderProcessing } from '@paylab/contracts';
import { KafkaRequestClient, Outbox } from '@paylab/messaging';
import type { DataSource } from 'typeorm';
import type { PaymentMethod } from '../payments/domain/payer-agent';
import { PaymentOrderEntity } from '../payments/payment-order.entity';
import {
  toDomain,
  toOrderView,
  toRow,
  type PaymentOrderView,
} from '../payments/payment-order.mapper';
import { CASHIER_PUBLIC_BASE_URL } from '../payments/payment-orders.service';
import { DomainError } from '../shared/domain-error';

export interface CheckoutCredentials {
  payment: PaymentOrderView;
  method: PaymentMethod;
  qrPayload: string;
  transactionId: string;
  routeDecisionId: string;
}

/**
 * The payer's side of a payment (收银台): pick a method, let routing choose the channel account,
 * get a QR from acquiring, and mark the order PROCESSING. Both questions are request/reply
 * over Kafka with a timeout, because a person is waiting for the answer.
 */
@Injectable()
export class Checkout {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly requests: KafkaRequestClient,
    private readonly outbox: Outbox,
    @Inject(CASHIER_PUBLIC_BASE_URL) private readonly publicBaseUrl: string,
  ) {}

  async view(paymentId: string): Promise<PaymentOrderView> {
    const row = await this.dataSource
      .getRepository(PaymentOrderEntity)
      .findOneBy({ id: paymentId });
    if (!row) throw new DomainError('PAYMENT.NOT_FOUND', `No payment ${paymentId}.`);
    return toOrderView(toDomain(row), this.publicBaseUrl);
  }

  /** The methods routing can place for this order's merchant and amount (支付方式). */
  async offeredMethods(
    payment: PaymentOrderView,
    device?: 'MOBILE' | 'DESKTOP',
  ): Promise<PaymentMethod[]> {
    const offer = await this.requests.request(OfferMethods, {
      merchantId: payment.merchantId,
      amount: {
        amountMinor: payment.amount.amountMinor,
        currency: payment.amount.currency as 'CNY',
      },
      ...(device ? { device } : {}),
    });
    return offer.methods.map((offered) => offered.method);
  }

  async pay(paymentId: string, method: PaymentMethod): Promise<CheckoutCredentials> {
    const before = toDomain(await this.load(paymentId));
    const props = before.toProps();
    // Never hand out a QR that can no longer be paid (closed order, or past its deadline).
    before.assertPayable(new Date());
    if (props.state !== 'CREATED' && !(props.state === 'PROCESSING' && props.channel === method)) {
      // Ask the domain, so the payer gets the same refusal the rules give (expired, paid, closed).
      before.startProcessing(method, new Date());
    }
    const route = await this.requests.request(DecideRoute, {
      merchantId: props.merchantId,
      method,
      amount: props.amount.toJSON(),
    });
    const charge = await this.requests.request(CreateCharge, {
      paymentId: props.id,
      merchantId: props.merchantId,
      channel: route.chosen.channel,
      channelAccountId: route.chosen.channelAccountId,
      amount: props.amount.toJSON(),
      subject: props.subject,
      expiresAt: props.expiresAt.toISOString(),
    });
    const payment = await this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(PaymentOrderEntity)
        .createQueryBuilder('payment')
        .setLock('pessimistic_write')
        .where('payment.id = :paymentId', { paymentId })
        .getOneOrFail();
      const result = toDomain(row).startProcessing(route.chosen.channel, new Date());
      if (result.changed) {
        await manager.update(
          PaymentOrderEntity,
          { id: paymentId, version: row.version },
          toRow(result.order.toProps()),
        );
        if (result.event.type !== 'payment_order.processing')
          throw new Error(`unexpected ${result.event.type}`);
        await this.outbox.publish(manager, PaymentOrderProcessing, result.event.payload);
      }
      return toOrderView(result.order, this.publicBaseUrl);
    });
    return {
      payment,
      method,
      qrPayload: charge.qrPayload,
      transactionId: charge.transactionId,
      routeDecisionId: route.decisionId,
    };
  }

  private async load(paymentId: string): Promise<PaymentOrderEntity> {
    const row = await this.dataSource
      .getRepository(PaymentOrderEntity)
      .findOneBy({ id: paymentId });
    if (!row) throw new DomainError('PAYMENT.NOT_FOUND', `No payment ${paymentId}.`);
    return row;
  }
}
