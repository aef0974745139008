import { Client } from 'pg';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';

export interface ServiceDatabaseOptions {
  /** postgres://user:pass@host:port/db */
  url: string;
  /** The service's own schema. A service never reads another service's schema. */
  schema: string;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  poolSize?: number;
  /** Shown in pg_stat_activity, so a DBA can tell which service holds a connection. */
  applicationName?: string;
}

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid schema name "${schema}": use lower case letters, digits and _`);
  }
}

export function dataSourceOptions(options: ServiceDatabaseOptions): DataSourceOptions {
  assertSchemaName(options.schema);
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    logging: ['error'],
    applicationName: options.applicationName ?? options.schema,
    // Timestamps are stored as timestamptz and read back in UTC, whatever the host zone.
    extra: {
      max: options.poolSize ?? 10,
      options: `-c timezone=UTC -c search_path=${options.schema}`,
    },
  };
}

/**
 * Creates the schema if needed and runs the service's migrations under a Postgres advisory
 * lock, so two replicas starting together never run the same migration twice.
 */
export async function prepareSchema(options: ServiceDatabaseOptions): Promise<void> {
  assertSchemaName(options.schema);
  const client = new Client({
    connectionString: options.url,
    application_name: `${options.schema}-migrate`,
  });
  // The lock connection sits idle while the migrations run on their own connection. If the server
  // drops it meanwhile, pg emits 'error' on the client: without a listener that would crash the
  // process instead of failing start-up with a clear error (the unlock query below then throws).
  let lostConnection: Error | undefined;
  client.on('error', (error) => {
    lostConnection = error;
  });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [
      `paylab.migrate.${options.schema}`,
    ]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
      const migrator = new DataSource({ ...dataSourceOptions(options), extra: { max: 1 } });
      await migrator.initialize();
      try {
        await migrator.runMigrations({ transaction: 'each' });
      } finally {
        await migrator.destroy();
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [
        `paylab.migrate.${options.schema}`,
      ]);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  if (lostConnection) {
    throw new Error(`the migration lock connection was lost: ${lostConnection.message}`);
  }
}

/** A ready data source: schema created, migrations applied. */
export async function openServiceDatabase(options: ServiceDatabaseOptions): Promise<DataSource> {
  await prepareSchema(options);
  const dataSource = new DataSource(dataSourceOptions(options));
  return dataSource.initialize();
}
