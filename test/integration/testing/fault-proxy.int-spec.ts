import { startFaultProxy, throughProxy, type FaultProxy } from '@paylab/testing';
import { Client } from 'pg';

const databaseUrl = process.env.PAYLAB_TEST_DATABASE_URL as string;

async function connect(proxy: FaultProxy): Promise<Client> {
  const client = new Client({
    connectionString: throughProxy(databaseUrl, proxy),
    connectionTimeoutMillis: 3_000,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

describe('FaultProxy in front of the real Postgres', () => {
  let proxy: FaultProxy;

  beforeEach(async () => {
    const target = new URL(databaseUrl);
    proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
  });

  afterEach(async () => {
    await proxy.close();
  });

  it('forwards traffic while it is not cut', async () => {
    const client = await connect(proxy);
    try {
      const { rows } = await client.query<{ answer: number }>('SELECT 41 + 1 AS answer');
      expect(rows[0].answer).toBe(42);
      expect(proxy.openConnections).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('cut() breaks an open connection at once', async () => {
    const client = await connect(proxy);
    proxy.cut();
    const started = Date.now();
    await expect(client.query('SELECT 1')).rejects.toThrow(/Connection terminated|not queryable/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(proxy.openConnections).toBe(0);
  });

  it('refuses new connections while cut, quickly, and lets them through after restore()', async () => {
    proxy.cut();
    const started = Date.now();
    await expect(connect(proxy)).rejects.toThrow(/Connection terminated/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(proxy.isCut).toBe(true);

    proxy.restore();
    const client = await connect(proxy);
    try {
      const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
      expect(rows[0].one).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('throughProxy keeps credentials and database and swaps host and port', () => {
    const url = throughProxy(
      'postgres://paylab:secret@db.example:5432/paylab?sslmode=disable',
      proxy,
    );
    expect(url).toBe(`postgres://paylab:secret@127.0.0.1:${proxy.port}/paylab?sslmode=disable`);
  });
});
