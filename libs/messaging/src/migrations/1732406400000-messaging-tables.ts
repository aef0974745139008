import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox and inbox tables, created in whichever schema the running data source owns. Every
 * service that publishes or consumes lists this migration first.
 */
export class MessagingTables1732406400000 implements MigrationInterface {
  name = 'MessagingTables1732406400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE "${schema}"."outbox_messages" (
        "sequence" bigserial PRIMARY KEY,
        "message_id" text NOT NULL UNIQUE,
        "topic" text NOT NULL,
        "message_key" text NOT NULL,
        "event_type" text NOT NULL,
        "schema_version" int NOT NULL,
        "payload" jsonb NOT NULL,
        "headers" jsonb NOT NULL,
        "occurred_at" timestamptz NOT NULL,
        "published_at" timestamptz,
        "attempts" int NOT NULL DEFAULT 0,
        "last_error" text
      )`);
    await queryRunner.query(
      `CREATE INDEX "outbox_messages_pending" ON "${schema}"."outbox_messages" ("sequence") WHERE "published_at" IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE "${schema}"."inbox_messages" (
        "message_id" text NOT NULL,
        "consumer" text NOT NULL,
        "topic" text NOT NULL,
        "event_type" text NOT NULL,
        "processed_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("message_id", "consumer")
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE "${schema}"."inbox_messages"`);
    await queryRunner.query(`DROP TABLE "${schema}"."outbox_messages"`);
  }
}

function schemaOf(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.options as { schema?: string }).schema;
  if (!schema) throw new Error('the data source has no schema; PayLab services each own one');
  return schema;
}
