import { DomainError } from '../shared/domain-error';
import type { ChannelAdapter } from './channel-adapter';

/** The configured adapters, by channel code; the use cases pick one per transaction. */
export class ChannelAdapters {
  private readonly byChannel: ReadonlyMap<string, ChannelAdapter>;

  constructor(adapters: readonly ChannelAdapter[]) {
    this.byChannel = new Map(adapters.map((adapter) => [adapter.channel, adapter]));
  }

  get(channel: string, param = 'channel'): ChannelAdapter {
    const adapter = this.byChannel.get(channel);
    if (!adapter) {
      throw new DomainError(
        'CHANNEL.UNSUPPORTED',
        `Channel ${channel} is not connected; connected: ${[...this.byChannel.keys()].join(', ')}.`,
        param,
      );
    }
    return adapter;
  }
}
