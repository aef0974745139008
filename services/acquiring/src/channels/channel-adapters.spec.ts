import { DomainError } from '../shared/domain-error';
import type { ChannelAdapter } from './channel-adapter';
import { ChannelAdapters, type ConnectedAccount } from './channel-adapters';

const adapterOf = (channel: ChannelAdapter['channel']) => ({ channel }) as ChannelAdapter;
const alipayA: ConnectedAccount = { accountId: 'cha_A', adapter: adapterOf('ALIPAY') };
const alipayB: ConnectedAccount = { accountId: 'cha_B', adapter: adapterOf('ALIPAY') };
const wechat: ConnectedAccount = { accountId: 'cha_W', adapter: adapterOf('WECHAT_PAY') };

function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'no error',
    (error: unknown) => (error instanceof DomainError ? error.code : String(error)),
  );
}

describe('ChannelAdapters', () => {
  it('picks the adapter of the transaction own account, and the default for none', async () => {
    const adapters = new ChannelAdapters([alipayA, wechat], async () => [alipayB]);
    expect(await adapters.adapterFor({ channel: 'ALIPAY', channelAccountId: 'cha_B' })).toBe(
      alipayB.adapter,
    );
    expect(await adapters.adapterFor({ channel: 'ALIPAY', channelAccountId: 'cha_A' })).toBe(
      alipayA.adapter,
    );
    expect(await adapters.adapterFor({ channel: 'ALIPAY', channelAccountId: null })).toBe(
      alipayA.adapter,
    );
  });

  it('refuses an unknown account, and an account of another channel, with a code', async () => {
    const adapters = new ChannelAdapters([alipayA, wechat]);
    expect(await codeOf(adapters.account('ALIPAY', 'cha_nope'))).toBe('CHANNEL.UNKNOWN_ACCOUNT');
    expect(await codeOf(adapters.account('ALIPAY', 'cha_W'))).toBe('CHANNEL.UNKNOWN_ACCOUNT');
    expect(() => adapters.get('UNIONPAY')).toThrow(DomainError);
  });

  it('finds an account added after start-up by reloading once', async () => {
    const loaded: ConnectedAccount[] = [];
    const adapters = new ChannelAdapters([alipayA], async () => loaded);
    await adapters.reload();
    loaded.push(alipayB);
    // The reload is throttled, so a burst of unknown ids cannot hammer the database...
    expect(await codeOf(adapters.account('ALIPAY', 'cha_B'))).toBe('CHANNEL.UNKNOWN_ACCOUNT');
    await adapters.reload();
    expect((await adapters.account('ALIPAY', 'cha_B')).adapter).toBe(alipayB.adapter);
  });

  it('lists every account of a channel for callbacks, default first', async () => {
    const adapters = new ChannelAdapters([alipayA, wechat], async () => [alipayB]);
    expect((await adapters.accountsOf('ALIPAY')).map((a) => a.accountId)).toEqual([
      'cha_A',
      'cha_B',
    ]);
  });
});
