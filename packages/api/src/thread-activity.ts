import type { EventBus, EventConsumer, StoredEvent, SubscriptionObserver } from '@threadcast/bus';
import {
  type ActivityEvent,
  activityEventSchema,
  type EventPosition,
  type StreamEvent,
  THREAD_ACTIVITY_PART,
  type ThreadId,
} from '@threadcast/contract';
import { type PushStream, pushStream } from './streams/push-stream.ts';
import { interruptedStream } from './streams/stream-ending.ts';
import type { StreamSink } from './streams/stream-source.ts';

/** A user's activity from the bus, pushed: each kept `delta` as the change it carries, a `reset` as it is. */
export function followActivity(
  bus: EventBus,
  channel: ThreadId,
  after: EventPosition | null,
  observer: SubscriptionObserver,
): PushStream<ActivityEvent> {
  return pushStream((sink) => bus.follow(channel, { after, observer }, new ActivitySink(sink)));
}

/** Turns the channel's events into activity; anything else on it (published there by hand) is passed over. */
class ActivitySink implements EventConsumer {
  constructor(private readonly sink: StreamSink<ActivityEvent>) {}

  deliver(stored: StoredEvent): boolean {
    const activity = activityOf(stored.event);
    return activity === null ? true : this.sink.deliver({ id: stored.id, event: activity });
  }

  end(failure?: unknown): void {
    this.sink.end(failure);
  }
}

function activityOf(event: StreamEvent): ActivityEvent | null {
  if (event.type === 'status' && event.content.state === 'reset') {
    return { kind: 'reset', reason: event.content.reason, ts: event.ts };
  }
  if (event.type !== 'delta' || event.content.type !== THREAD_ACTIVITY_PART) return null;
  const parsed = activityEventSchema.safeParse(event.content.data);
  return parsed.success ? parsed.data : null;
}

/** Where a stream that asks for what happens from now on starts: after the newest retained event. */
export async function newestPosition(bus: EventBus, channel: ThreadId): Promise<EventPosition | null> {
  try {
    return (await bus.history(channel, { limit: 1 })).at(-1)?.position ?? null;
  } catch (error) {
    throw interruptedStream(error);
  }
}
