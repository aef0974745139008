import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One async notification (异步通知) of a trade and where its delivery stands. */
@Entity({ name: 'notifications' })
export class NotificationEntity {
  /** bigint identity; pg returns it as text. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint' }) id!: string;
  @Column({ name: 'trade_no', type: 'text' }) tradeNo!: string;
  /** Set when the notification is about a refund of the trade (WeChat Pay REFUND.*). */
  @Column({ name: 'refund_no', type: 'text', nullable: true }) refundNo!: string | null;
  @Column({ name: 'notify_url', type: 'text' }) notifyUrl!: string;
  @Column({ name: 'notify_id', type: 'text' }) notifyId!: string;
  @Column({ type: 'text' }) status!: 'PENDING' | 'DELIVERED' | 'GAVE_UP';
  @Column({ type: 'int' }) attempts!: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz' }) nextAttemptAt!: Date;
  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;
  @Column({ name: 'last_result', type: 'text', nullable: true }) lastResult!: string | null;
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true }) deliveredAt!: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
