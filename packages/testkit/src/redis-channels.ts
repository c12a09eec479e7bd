/** The one command a client must send for the helpers here (ioredis's `call`). */
export interface RedisCaller {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** How many subscribers Redis counts on `channel` (`PUBSUB NUMSUB`): a server holds one per thread it streams. */
export async function channelSubscribers(redis: RedisCaller, channel: string): Promise<number> {
  const [, count] = (await redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number | string];
  return Number(count);
}
