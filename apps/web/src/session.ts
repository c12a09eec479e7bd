import { useCallback, useSyncExternalStore } from 'react';

/**
 * Who is signed in, for display and for signing in again when the session expires. The token itself
 * lives only in the server's HttpOnly session cookie: page scripts never see it.
 */
export interface Session {
  name: string;
  userId: string;
}

const KEY = 'threadcast.user';
const listeners = new Set<() => void>();

function read(): Session | null {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<Session> | null;
    return value && typeof value.name === 'string' && typeof value.userId === 'string'
      ? { name: value.name, userId: value.userId }
      : null;
  } catch {
    return null;
  }
}

let current = read();

export function currentSession(): Session | null {
  return current;
}

export function setSession(session: Session | null): void {
  current = session;
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): [Session | null, (session: Session | null) => void] {
  const session = useSyncExternalStore(subscribe, () => current);
  return [session, useCallback((next: Session | null) => setSession(next), [])];
}
