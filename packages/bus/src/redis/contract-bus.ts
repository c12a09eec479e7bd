import { uniquePrefix } from '@threadcast/testkit';
import type { ContractBusOptions } from '../event-bus.contract.ts';
import { RedisEventBus } from './redis-event-bus.ts';
import type { RedisTarget } from './redis-target.ts';

/** A fresh Redis bus (its own key prefix) for the contract suite, on one Redis, a cluster or a Sentinel set. */
export function contractRedisBus(url: string | RedisTarget, options?: ContractBusOptions): RedisEventBus {
  return new RedisEventBus({
    url,
    keyPrefix: uniquePrefix(),
    historyMaxLen: options?.historyLimit,
    maxQueuedPerSubscriber: options?.maxQueuedPerSubscriber,
    maxEventBytes: options?.maxEventBytes,
  });
}
