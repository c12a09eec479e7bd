import { connect, createServer, type Socket } from 'node:net';
import { spliceSockets } from './socket-splice.ts';

export interface TcpProxy extends AsyncDisposable {
  port: number;
  /** Cuts every connection open through the proxy (clients see the connection drop). */
  dropAll(): number;
  /** Connections currently open through the proxy. */
  readonly open: number;
  close(): Promise<void>;
}

/** A loopback TCP proxy to `targetPort` whose connections a test can cut at will. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    spliceSockets(client, upstream, () => pairs.delete(pair));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('proxy has no port');
  const dropAll = () => {
    const count = pairs.size;
    for (const [client, upstream] of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
    return count;
  };
  const close = async () => {
    dropAll();
    await new Promise((resolve) => server.close(resolve));
  };
  return {
    port: address.port,
    dropAll,
    get open() {
      return pairs.size;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
