import { useCallback, useSyncExternalStore } from 'react';

export interface Session {
  name: string;
  token: string;
}

const KEY = 'threadcast.session';
const listeners = new Set<() => void>();

function read(): Session | null {
  try {
    const value = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<Session> | null;
    return value && typeof value.name === 'string' && typeof value.token === 'string'
      ? { name: value.name, token: value.token }
      : null;
  } catch {
    return null;
  }
}

let current = read();

/** The signed-in user's token, read on every request and every stream (re)connect. */
export function currentToken(): string | null {
  return current?.token ?? null;
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
