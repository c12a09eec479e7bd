import { readFileSync } from 'node:fs';
import { isCluster, type RedisClient } from '@threadcast/bus/redis';
import type { StoreKeys } from '@threadcast/bus/redis-names';
import type { ThreadId, UserId } from '@threadcast/contract';
import { newThreadRecord, type ThreadRecord, type ThreadStore } from '../thread-store.ts';

const RENAME_SCRIPT = readFileSync(new URL('./rename-1.lua', import.meta.url), 'utf8');

type RenamingRedis = RedisClient & {
  threadcastRename(threadKey: string, title: string): Promise<number>;
};

export class RedisThreadStore implements ThreadStore {
  private readonly redis: RenamingRedis;

  constructor(
    redis: RedisClient,
    private readonly keys: StoreKeys,
  ) {
    this.redis = redis as RenamingRedis;
    if (!('threadcastRename' in redis))
      redis.defineCommand('threadcastRename', { numberOfKeys: 1, lua: RENAME_SCRIPT });
  }

  async create(input: { ownerId: UserId; title: string }): Promise<ThreadRecord> {
    const record = newThreadRecord(input);
    const fields = { ownerId: record.ownerId, title: record.title, createdAt: String(record.createdAt) };
    if (isCluster(this.redis)) {
      // The thread and its owner's list are in different slots: the thread first, so a listed id always resolves.
      await this.redis.hset(this.keys.thread(record.threadId), fields);
      await this.redis.zadd(this.keys.ownerThreads(record.ownerId), record.createdAt, record.threadId);
      return record;
    }
    await this.redis
      .multi()
      .hset(this.keys.thread(record.threadId), fields)
      .zadd(this.keys.ownerThreads(record.ownerId), record.createdAt, record.threadId)
      .exec();
    return record;
  }

  async get(threadId: ThreadId): Promise<ThreadRecord | null> {
    const fields = await this.redis.hgetall(this.keys.thread(threadId));
    if (!fields.ownerId || fields.createdAt === undefined) return null;
    return { threadId, ownerId: fields.ownerId, title: fields.title ?? '', createdAt: Number(fields.createdAt) };
  }

  async rename(threadId: ThreadId, title: string): Promise<ThreadRecord | null> {
    const renamed = await this.redis.threadcastRename(this.keys.thread(threadId), title);
    return renamed === 1 ? this.get(threadId) : null;
  }

  async listByOwner(ownerId: UserId, options: { limit?: number } = {}): Promise<ThreadRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.ownerThreads(ownerId), 0, (options.limit ?? 100) - 1);
    const records = await Promise.all(ids.map((threadId) => this.get(threadId)));
    return records.filter((record): record is ThreadRecord => record !== null && record.ownerId === ownerId);
  }
}
