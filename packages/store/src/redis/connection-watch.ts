import type { RedisClient } from '@threadcast/bus/redis';

/** One Redis connection of this process, as metrics report it. */
export interface RedisConnectionState {
  /** What the connection is for: `commands`, `subscriber` (pub/sub) or `queue` (a worker's blocking reads). */
  role: string;
  connected: boolean;
  /** Times it came back after it was lost. */
  reconnects: number;
}

interface Watched {
  role: string;
  redis: RedisClient;
  readyBefore: boolean;
  reconnects: number;
}

/**
 * Follows the state of a process's Redis connections and counts their reconnects. A lazy connection that
 * was never asked to connect (the subscriber of a process without streams) is not reported: it is not down.
 */
export class RedisConnectionWatch {
  private readonly watched: Watched[] = [];

  /** `transient`: a connection that is replaced rather than reconnected (a shard subscriber), forgotten when it ends. */
  add(role: string, redis: RedisClient, transient = false): void {
    const entry: Watched = { role, redis, readyBefore: redis.status === 'ready', reconnects: 0 };
    redis.on('ready', () => {
      if (entry.readyBefore) entry.reconnects += 1;
      entry.readyBefore = true;
    });
    if (transient) {
      redis.once('end', () => {
        const index = this.watched.indexOf(entry);
        if (index !== -1) this.watched.splice(index, 1);
      });
    }
    this.watched.push(entry);
  }

  states(): RedisConnectionState[] {
    return this.watched
      .filter((entry) => entry.redis.status !== 'wait')
      .map(({ role, redis, reconnects }) => ({ role, connected: redis.status === 'ready', reconnects }));
  }
}
