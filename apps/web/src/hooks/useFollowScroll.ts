import { type RefObject, useCallback, useEffect, useRef, useState } from 'react';

/** How close to the bottom (px) still counts as reading the latest. */
const AT_BOTTOM_PX = 48;

export interface FollowScroll {
  /** Whether the view keeps the newest content in sight. */
  following: boolean;
  /** Scrolls to the newest content and follows it again. */
  jumpToLatest: () => void;
}

/**
 * Keeps a scrolling container at its bottom while its content grows, until the reader scrolls up; scrolling
 * back down (or `jumpToLatest`) follows again. Growth is seen with a ResizeObserver on the content, so
 * markdown that re-lays out or a block that opens is followed as well as a new token.
 */
export function useFollowScroll(
  container: RefObject<HTMLElement | null>,
  content: RefObject<HTMLElement | null>,
): FollowScroll {
  const [following, setFollowing] = useState(true);
  const followingRef = useRef(true);

  const follow = useCallback((value: boolean) => {
    followingRef.current = value;
    setFollowing(value);
  }, []);

  useEffect(() => {
    const box = container.current;
    const inner = content.current;
    if (!box || !inner) return;
    const toBottom = () => {
      box.scrollTop = box.scrollHeight;
    };
    const onScroll = () => {
      const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight <= AT_BOTTOM_PX;
      if (atBottom !== followingRef.current) follow(atBottom);
    };
    const observer = new ResizeObserver(() => {
      if (followingRef.current) toBottom();
    });
    observer.observe(inner);
    box.addEventListener('scroll', onScroll, { passive: true });
    toBottom();
    return () => {
      observer.disconnect();
      box.removeEventListener('scroll', onScroll);
    };
  }, [container, content, follow]);

  const jumpToLatest = useCallback(() => {
    const box = container.current;
    if (box) box.scrollTop = box.scrollHeight;
    follow(true);
  }, [container, follow]);

  return { following, jumpToLatest };
}
