import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per dead letter an operator replayed, so replaying the same record twice publishes
 * nothing the second time. Lives in each consuming service's schema beside its inbox.
 */
export class DeadLetterReplays1732406400100 implements MigrationInterface {
  name = 'DeadLetterReplays1732406400100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = (queryRunner.connection.options as { schema?: string }).schema;
    if (!schema) throw new Error('the data source has no schema; PayLab services each own one');
    await queryRunner.query(`
      CREATE TABLE "${schema}"."dead_letter_replays" (
        "dead_letter_topic" text NOT NULL,
        "dead_letter_partition" int NOT NULL,
        "dead_letter_offset" bigint NOT NULL,
        "original_topic" text NOT NULL,
        "message_id" text,
        "replayed_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("dead_letter_topic", "dead_letter_partition", "dead_letter_offset")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = (queryRunner.connection.options as { schema?: string }).schema;
    await queryRunner.query(`DROP TABLE "${schema}"."dead_letter_replays"`);
  }
}
