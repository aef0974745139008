import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A channel account's credentials (渠道账户凭证), beyond each channel's default account from the
 * environment. `id` is routing's channel account id (cha_…); `credentials` holds the channel's
 * own fields (Alipay: appId, appPrivateKey, platformPublicKey; WeChat Pay: mchid, appid,
 * merchantSerial, merchantPrivateKey, platformSerial, platformPublicKey, apiV3Key).
 */
@Entity({ name: 'channel_accounts' })
export class ChannelAccountCredentialsEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ type: 'jsonb' }) credentials!: Record<string, string>;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
