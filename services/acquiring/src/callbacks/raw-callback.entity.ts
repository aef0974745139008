import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type CallbackVerification = 'VERIFIED' | 'REJECTED';
export type CallbackOutcome =
  | 'SETTLED'
  | 'DUPLICATE'
  | 'IGNORED'
  | 'UNKNOWN_TRANSACTION'
  | 'UNKNOWN_REFUND'
  | 'MISMATCH'
  | 'REJECTED';

/** Every channel callback as received (原始回调), kept for audit with what we made of it. */
@Entity({ name: 'raw_callbacks' })
export class RawCallbackEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) channel!: string;
  @Column({ name: 'received_at', type: 'timestamptz' }) receivedAt!: Date;
  @Column({ name: 'content_type', type: 'text' }) contentType!: string;
  @Column({ type: 'text' }) body!: string;
  /** The channel's signature headers (WeChat Pay's Wechatpay-*); empty when it signs the body. */
  @Column({ type: 'jsonb' }) headers!: Record<string, string>;
  @Column({ type: 'text' }) verification!: CallbackVerification;
  @Column({ name: 'error_code', type: 'text', nullable: true }) errorCode!: string | null;
  @Column({ type: 'text' }) outcome!: CallbackOutcome;
  @Column({ name: 'notify_id', type: 'text', nullable: true }) notifyId!: string | null;
  @Column({ name: 'out_trade_no', type: 'text', nullable: true }) outTradeNo!: string | null;
  @Column({ name: 'channel_trade_no', type: 'text', nullable: true }) channelTradeNo!:
    string | null;
  @Column({ name: 'transaction_id', type: 'text', nullable: true }) transactionId!: string | null;
  /** Set when the callback is about a refund (WeChat Pay REFUND.*): our ref_ id. */
  @Column({ name: 'refund_id', type: 'text', nullable: true }) refundId!: string | null;
}
