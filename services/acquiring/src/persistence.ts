import { RawCallbackEntity } from './callbacks/raw-callback.entity';
import { ChannelAccountCredentialsEntity } from './channels/channel-account.entity';
import { CreateChannelTransactions1732407200000 } from './migrations/1732407200000-create-channel-transactions';
import { RawCallbackHeaders1732407600000 } from './migrations/1732407600000-raw-callback-headers';
import { CreateChannelRefunds1732408100000 } from './migrations/1732408100000-create-channel-refunds';
import { ChannelRefundEntity } from './refunds/channel-refund.entity';
import { ChannelAccounts1732408000000 } from './migrations/1732408000000-channel-accounts';
import { ChannelTransactionEntity } from './transactions/channel-transaction.entity';

/**
 * The entities and migrations of the acquiring schema. The outbox and inbox tables come from
 * @paylab/messaging and are listed before these in acquiring.module.ts.
 */
export const ACQUIRING_ENTITIES: Function[] = [
  ChannelTransactionEntity,
  RawCallbackEntity,
  ChannelRefundEntity,
  ChannelAccountCredentialsEntity,
];
export const ACQUIRING_MIGRATIONS: Function[] = [
  CreateChannelTransactions1732407200000,
  RawCallbackHeaders1732407600000,
  ChannelAccounts1732408000000,
  CreateChannelRefunds1732408100000,
];
