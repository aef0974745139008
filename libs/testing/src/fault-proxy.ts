import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy that can cut a dependency off on demand, for tests that prove a service survives
 * an outage of one dependency (point its DATABASE_URL through the proxy) without touching the
 * shared Postgres every other test uses.
 */
export interface FaultProxy {
  /** The local port to connect to instead of the target. */
  readonly port: number;
  /** `host:port` of the proxy, handy for rewriting a URL. */
  readonly address: string;
  /**
   * Destroys every open connection and closes each new one at once, so a client sees the
   * failure immediately ("Connection terminated unexpectedly") instead of waiting for a timeout.
   */
  cut(): void;
  /** Lets new connections through again. */
  restore(): void;
  readonly isCut: boolean;
  /** Connections currently forwarded. */
  readonly openConnections: number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let cut = false;
  const server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: target.host, port: target.port });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP port');
  const port = address.port;
  const cutAll = () => {
    cut = true;
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    address: `127.0.0.1:${port}`,
    cut: cutAll,
    restore() {
      cut = false;
    },
    get isCut() {
      return cut;
    },
    get openConnections() {
      return pairs.size;
    },
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The same URL with its host and port replaced by the proxy's (postgres://u:p@host:port/db). */
export function throughProxy(url: string, proxy: FaultProxy): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}
