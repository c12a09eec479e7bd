import type { Socket } from 'node:net';

/** Joins two sockets both ways; when either side closes or fails, both are destroyed and `onClosed` runs. */
export function spliceSockets(client: Socket, upstream: Socket, onClosed: () => void): void {
  const teardown = () => {
    onClosed();
    client.destroy();
    upstream.destroy();
  };
  client.on('error', teardown).on('close', teardown);
  upstream.on('error', teardown).on('close', teardown);
  client.pipe(upstream);
  upstream.pipe(client);
}
