import { DomainError } from '../shared/domain-error';
import type { ChannelAdapter } from './channel-adapter';

/**
 * One connected channel account (渠道商户号 / 应用): routing's `cha_…` id and the adapter that
 * signs with that account's credentials. Accounts are added around the ChannelAdapter
 * interface, not inside it: an adapter instance simply is one account.
 */
export interface ConnectedAccount {
  accountId: string;
  adapter: ChannelAdapter;
}

/** Reads the accounts beyond each channel's default (acquiring.channel_accounts). */
export type AccountLoader = () => Promise<readonly ConnectedAccount[]>;

/** The least time between two reloads caused by an unknown account id. */
const RELOAD_THROTTLE_MS = 5_000;

/**
 * The configured adapters, one per channel account; the use cases pick one per transaction with
 * `adapterFor`. Each channel has a default account (from configuration); further accounts come
 * from the loader and are re-read when an unknown id is asked for, so an account seeded after
 * start-up is found without a restart.
 */
export class ChannelAdapters {
  private readonly defaults: ReadonlyMap<string, ConnectedAccount>;
  private accounts = new Map<string, ConnectedAccount>();
  private lastLoadAt = 0;

  constructor(
    defaults: readonly ConnectedAccount[],
    private readonly loadMore: AccountLoader = async () => [],
  ) {
    this.defaults = new Map(defaults.map((account) => [account.adapter.channel, account]));
    for (const account of defaults) this.accounts.set(account.accountId, account);
  }

  /** The channel's default account's adapter. */
  get(channel: string, param = 'channel'): ChannelAdapter {
    return this.defaultAccountOf(channel, param).adapter;
  }

  /** The channel's default account (the one configured in the environment). */
  defaultAccountOf(channel: string, param = 'channel'): ConnectedAccount {
    const account = this.defaults.get(channel);
    if (!account) {
      throw new DomainError(
        'CHANNEL.UNSUPPORTED',
        `Channel ${channel} is not connected; connected: ${[...this.defaults.keys()].join(', ')}.`,
        param,
      );
    }
    return account;
  }

  /**
   * The account `accountId` of `channel`; null or undefined means the channel's default account
   * (transactions from before accounts travelled). An unknown id, or one of another channel, is
   * CHANNEL.UNKNOWN_ACCOUNT: signing with some other account would charge the wrong merchant.
   */
  async account(
    channel: string,
    accountId: string | null | undefined,
    param = 'channelAccountId',
  ): Promise<ConnectedAccount> {
    if (accountId === null || accountId === undefined) return this.defaultAccountOf(channel);
    let account = this.accounts.get(accountId);
    if (!account && Date.now() - this.lastLoadAt >= RELOAD_THROTTLE_MS) {
      await this.reload();
      account = this.accounts.get(accountId);
    }
    if (!account || account.adapter.channel !== channel) {
      throw new DomainError(
        'CHANNEL.UNKNOWN_ACCOUNT',
        `Channel account ${accountId} is not connected to acquiring for ${channel}.`,
        param,
      );
    }
    return account;
  }

  /** The adapter that signs for one transaction: its own account's. */
  async adapterFor(transaction: {
    channel: string;
    channelAccountId: string | null;
  }): Promise<ChannelAdapter> {
    return (await this.account(transaction.channel, transaction.channelAccountId)).adapter;
  }

  /** Every connected account of a channel, default first (callbacks try them in turn). */
  async accountsOf(channel: string): Promise<ConnectedAccount[]> {
    const first = this.defaultAccountOf(channel);
    if (Date.now() - this.lastLoadAt >= RELOAD_THROTTLE_MS) await this.reload();
    return [
      first,
      ...[...this.accounts.values()].filter(
        (account) => account.adapter.channel === channel && account !== first,
      ),
    ];
  }

  /** Re-reads the loaded accounts; the defaults always stay. */
  async reload(): Promise<void> {
    this.lastLoadAt = Date.now();
    const loaded = await this.loadMore();
    const next = new Map<string, ConnectedAccount>();
    for (const account of this.defaults.values()) next.set(account.accountId, account);
    for (const account of loaded)
      if (!next.has(account.accountId)) next.set(account.accountId, account);
    this.accounts = next;
  }
}
