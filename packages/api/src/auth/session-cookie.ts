import { parseCookie, stringifySetCookie } from 'cookie';

/** The browser's session: the user's token in an HttpOnly cookie, so page scripts never hold it. */
export const SESSION_COOKIE = 'threadcast_session';

type Headers = Record<string, string | string[] | undefined>;

export function readSessionCookie(headers: Headers): string | null {
  const header = Array.isArray(headers.cookie) ? headers.cookie.join('; ') : headers.cookie;
  if (!header) return null;
  return parseCookie(header)[SESSION_COOKIE] || null;
}

/** `Set-Cookie` for a session that ends with its token; `Secure` whenever the request came over HTTPS. */
export function sessionCookie(token: string, expiresAt: number, secure: boolean): string {
  return stringifySetCookie({
    name: SESSION_COOKIE,
    value: token,
    httpOnly: true,
    secure,
    sameSite: 'strict',
    path: '/',
    maxAge: Math.max(0, Math.floor((expiresAt - Date.now()) / 1000)),
  });
}

export function clearedSessionCookie(secure: boolean): string {
  return stringifySetCookie({
    name: SESSION_COOKIE,
    value: '',
    httpOnly: true,
    secure,
    sameSite: 'strict',
    path: '/',
    maxAge: 0,
  });
}
