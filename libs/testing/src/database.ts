import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A schema name no other test (or run) uses, so suites never see each other's rows. */
export function uniqueSchemaName(purpose: string): string {
  return `t_${purpose}_${randomBytes(4).toString('hex')}`.toLowerCase();
}

export async function dropSchemas(databaseUrl: string, schemas: string[]): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A throwaway database (services use fixed schema names, so e2e runs get their own database). */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
