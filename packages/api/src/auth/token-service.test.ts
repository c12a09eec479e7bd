import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenService } from './token-service.ts';

const secret = 'a-test-secret-of-at-least-32-bytes!!';
const service = new TokenService({ secret });
const key = new TextEncoder().encode(secret);

describe('TokenService', () => {
  it('verifies the tokens it issues', async () => {
    const token = await service.issue({ id: 'alice', name: 'Alice' });
    expect(await service.verify(token)).toEqual({ id: 'alice', name: 'Alice' });
  });

  it('refuses a short secret', () => {
    expect(() => new TokenService({ secret: 'short' })).toThrow(/at least 32 bytes/);
  });

  it.each([
    ['garbage', async () => 'not-a-token'],
    ['another secret', async () => new TokenService({ secret: 'x'.repeat(32) }).issue({ id: 'alice', name: 'a' })],
    ['alg none', async () => new UnsecuredJWT({}).setSubject('alice').setIssuer('threadcast').encode()],
    [
      'expired',
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('alice')
          .setIssuer('threadcast')
          .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
          .sign(key),
    ],
    [
      'another issuer',
      async () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuer('evil').sign(key),
    ],
    [
      'a subject that could form a Redis pattern',
      async () =>
        new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('*').setIssuer('threadcast').sign(key),
    ],
  ])('rejects %s', async (_label, make) => {
    expect(await service.verify(await make())).toBeNull();
  });
});
