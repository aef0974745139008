import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  PaymentOrderClosed,
  PaymentOrderCreated,
  PaymentOrderFailed,
  PaymentOrderProcessing,
  PaymentOrderSucceeded,
  type EventContract,
} from '@paylab/contracts';
import { Outbox } from '@paylab/messaging';
import { Money, MoneyError, type CurrencyCode } from '@paylab/money';
import type { DataSource, EntityManager } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import type { MerchantContext } from '../merchant-auth/merchant-auth.guard';
import { DomainError } from '../shared/domain-error';
import { PaymentOrder, type PaymentOrderEvent } from './domain/payment-order';
import { PaymentOrderEntity } from './payment-order.entity';
import { toDomain, toRow, toView, type PaymentView } from './payment-order.mapper';

export const CASHIER_PUBLIC_BASE_URL = Symbol('CASHIER_PUBLIC_BASE_URL');

export interface CreatePaymentRequest {
  merchantOrderNo: string;
  amount: { amountMinor: number; currency: string };
  subject: string;
  description?: string;
  notifyUrl?: string;
  returnUrl?: string;
  expiresInSeconds?: number;
}

const CONTRACT_OF: Record<PaymentOrderEvent['type'], EventContract> = {
  'payment_order.created': PaymentOrderCreated,
  'payment_order.processing': PaymentOrderProcessing,
  'payment_order.succeeded': PaymentOrderSucceeded,
  'payment_order.failed': PaymentOrderFailed,
  'payment_order.closed': PaymentOrderClosed,
};

/** Wire names of the fields the domain reports problems on. */
const PARAM_OF_CODE: Record<string, string> = {
  'PAYMENT.INVALID_AMOUNT': 'amount.amountMinor',
  'PAYMENT.AMOUNT_TOO_LARGE': 'amount.amountMinor',
  'PAYMENT.UNSUPPORTED_CURRENCY': 'amount.currency',
};

/** Payment orders (支付单) of the merchant Open API: every change and its event in one transaction. */
@Injectable()
export class PaymentOrders {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(CASHIER_PUBLIC_BASE_URL) private readonly publicBaseUrl: string,
  ) {}

  async create(
    manager: EntityManager,
    merchant: MerchantContext,
    request: CreatePaymentRequest,
  ): Promise<PaymentView> {
    const { order, event } = withWireParams(() =>
      PaymentOrder.create(
        {
          merchantId: merchant.merchantId,
          appId: merchant.appId,
          merchantOrderNo: request.merchantOrderNo,
          amount: toMoney(request.amount),
          subject: request.subject,
          description: request.description,
          notifyUrl: request.notifyUrl,
          returnUrl: request.returnUrl,
          expiresInSeconds: request.expiresInSeconds,
        },
        new Date(),
      ),
    );
    try {
      await manager.insert(PaymentOrderEntity, toRow(order.toProps()));
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { constraint?: string }).constraint ===
          'payment_orders_merchant_order_no'
      ) {
        throw new DomainError(
          'PAYMENT.DUPLICATE_MERCHANT_ORDER_NO',
          `An order with merchantOrderNo ${request.merchantOrderNo} already exists. Query it instead of creating it again.`,
          'merchantOrderNo',
        );
      }
      throw error;
    }
    await this.publish(manager, event);
    return toView(order, this.publicBaseUrl);
  }

  async find(merchantId: string, paymentId: string): Promise<PaymentView> {
    const row = await this.dataSource
      .getRepository(PaymentOrderEntity)
      .findOneBy({ id: paymentId, merchantId });
    if (!row) throw notFound(paymentId);
    return toView(toDomain(row), this.publicBaseUrl);
  }

  async findByMerchantOrderNo(merchantId: string, merchantOrderNo: string): Promise<PaymentView> {
    const row = await this.dataSource
      .getRepository(PaymentOrderEntity)
      .findOneBy({ merchantOrderNo, merchantId });
    if (!row) throw notFound(`merchantOrderNo ${merchantOrderNo}`);
    return toView(toDomain(row), this.publicBaseUrl);
  }

  /** Closing twice is not an error: the second call returns the closed order unchanged. */
  async close(merchantId: string, paymentId: string): Promise<PaymentView> {
    return this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(PaymentOrderEntity)
        .createQueryBuilder('payment')
        .setLock('pessimistic_write')
        .where('payment.id = :paymentId AND payment.merchant_id = :merchantId', {
          paymentId,
          merchantId,
        })
        .getOne();
      if (!row) throw notFound(paymentId);
      const result = toDomain(row).close('MERCHANT_REQUEST', new Date());
      if (result.changed) {
        await manager.update(
          PaymentOrderEntity,
          { id: paymentId, version: row.version },
          toRow(result.order.toProps()),
        );
        await this.publish(manager, result.event);
      }
      return toView(result.order, this.publicBaseUrl);
    });
  }

  private async publish(manager: EntityManager, event: PaymentOrderEvent): Promise<void> {
    await this.outbox.publish(manager, CONTRACT_OF[event.type], event.payload);
  }
}

function toMoney(amount: CreatePaymentRequest['amount']): Money {
  try {
    return Money.of(amount.amountMinor, amount.currency as CurrencyCode);
  } catch (error) {
    if (error instanceof MoneyError && error.code === 'MONEY.UNKNOWN_CURRENCY') {
      throw new DomainError(
        'PAYMENT.UNSUPPORTED_CURRENCY',
        `Currency ${amount.currency} is not supported; use CNY.`,
        'amount.currency',
      );
    }
    if (error instanceof MoneyError && amount.amountMinor > Number.MAX_SAFE_INTEGER) {
      throw new DomainError(
        'PAYMENT.AMOUNT_TOO_LARGE',
        'amount.amountMinor is far beyond the per-order limit.',
        'amount.amountMinor',
      );
    }
    if (error instanceof MoneyError) {
      throw new DomainError('PAYMENT.INVALID_AMOUNT', error.message, 'amount.amountMinor');
    }
    throw error;
  }
}

function withWireParams<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof DomainError && PARAM_OF_CODE[error.code]) {
      throw new DomainError(error.code, error.message, PARAM_OF_CODE[error.code], error.details);
    }
    throw error;
  }
}

function notFound(what: string): DomainError {
  return new DomainError('PAYMENT.NOT_FOUND', `No payment ${what} for this merchant.`);
}
