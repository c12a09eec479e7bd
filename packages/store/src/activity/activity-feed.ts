import type { EventBus } from '@threadcast/bus';
import type { Logger } from '@threadcast/common';
import { THREAD_ACTIVITY_PART, type ThreadActivity, type UserId } from '@threadcast/contract';
import { activityChannel } from './activity-channel.ts';

/**
 * Publishes the changes to a user's threads on their activity channel, as `delta` events carrying a
 * `data-thread-activity` part (see `thread.onActivity`).
 */
export class ActivityFeed {
  constructor(
    private readonly bus: EventBus,
    private readonly logger: Logger,
  ) {}

  /**
   * Tells `ownerId`'s open thread lists about `activity`. A failure is logged, not thrown: the change it reports has
   * happened already (a run queued, a thread created), and a list catches up when it reloads.
   */
  async publish(ownerId: UserId, activity: ThreadActivity): Promise<void> {
    try {
      await this.bus.publish({
        type: 'delta',
        threadId: activityChannel(ownerId),
        ts: activity.ts,
        content: { type: THREAD_ACTIVITY_PART, data: activity },
      });
    } catch (error) {
      this.logger.warn(
        { err: error, ownerId, threadId: activity.threadId, kind: activity.kind },
        'thread activity not published',
      );
    }
  }
}
