import { NotificationEntity } from './alipay/notification.entity';
import { TradeEntity } from './alipay/trade.entity';
import { BankAccountEntity, BankPayoutEntity } from './bank/bank-payout.entity';
import { FaultEntity } from './faults/fault.entity';
import { CreateSandboxTrades1732406500000 } from './migrations/1732406500000-create-sandbox-trades';
import { AlipayGateway1732407100000 } from './migrations/1732407100000-alipay-gateway';
import { WechatPay1732407300000 } from './migrations/1732407300000-wechat-pay';
import { Refunds1732408000000 } from './migrations/1732408000000-refunds';
import { RefundEntity } from './refunds/refund.entity';
import { TradeExpiry1732408000100 } from './migrations/1732408000100-trade-expiry';
import { Bank1733200000000 } from './migrations/1733200000000-bank';

/** The entities and migrations of the channel_sandbox schema (it publishes no events). */
export const CHANNEL_SANDBOX_ENTITIES: Function[] = [
  TradeEntity,
  NotificationEntity,
  FaultEntity,
  RefundEntity,
  BankAccountEntity,
  BankPayoutEntity,
];
export const CHANNEL_SANDBOX_MIGRATIONS: Function[] = [
  CreateSandboxTrades1732406500000,
  AlipayGateway1732407100000,
  WechatPay1732407300000,
  Refunds1732408000000,
  TradeExpiry1732408000100,
  Bank1733200000000,
];
