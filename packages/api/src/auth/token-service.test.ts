import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CryptoKey,
  exportJWK,
  exportSPKI,
  type GenerateKeyPairResult,
  generateKeyPair,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from './token-service.ts';

const secret = 'a-test-secret-of-at-least-32-bytes!!';
const secretKey = new TextEncoder().encode(secret);
const now = () => Math.floor(Date.now() / 1000);

/** A token with exactly the claims given (no defaults), so each test states the times it relies on. */
function sign(
  claims: JWTPayload,
  key: CryptoKey | Uint8Array = secretKey,
  header: JWTHeaderParameters = { alg: 'HS256' },
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('TokenService with a secret', () => {
  const service = new TokenService({ secret });

  it('verifies the tokens it issues, with their expiry', async () => {
    const before = Date.now();
    const { token, expiresAt } = await service.issue({ id: 'alice', name: 'Alice' }, { ttlSeconds: 60 });
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(await service.verify(token)).toEqual({ ok: true, user: { id: 'alice', name: 'Alice' }, expiresAt });
  });

  it('issues tokens for 12 hours by default', async () => {
    const { expiresAt } = await service.issue({ id: 'alice', name: 'Alice' });
    expect(expiresAt - Date.now()).toBeGreaterThan(12 * 3600_000 - 2_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(12 * 3600_000);
  });

  it('refuses an expired token', async () => {
    const token = await sign({ sub: 'alice', iat: now() - 120, exp: now() - 60 });
    expect(await service.verify(token)).toEqual({ ok: false, reason: 'expired', message: 'the token expired' });
  });

  it('refuses a token whose nbf is in the future', async () => {
    const token = await sign({ sub: 'alice', nbf: now() + 60, exp: now() + 120 });
    expect(await service.verify(token)).toEqual({
      ok: false,
      reason: 'not_yet_valid',
      message: 'the token is not valid yet',
    });
  });

  it('refuses a token issued in the future', async () => {
    const token = await sign({ sub: 'alice', iat: now() + 60, exp: now() + 120 });
    expect(await service.verify(token)).toMatchObject({ ok: false, reason: 'not_yet_valid' });
  });

  it('tolerates clock skew within the tolerance, and only within it', async () => {
    const skewed = await sign({ sub: 'alice', iat: now() + 3, nbf: now() + 3, exp: now() - 3 });
    expect(await service.verify(skewed)).toMatchObject({ ok: true });
    const strict = new TokenService({ secret, clockToleranceSeconds: 0 });
    expect(await strict.verify(skewed)).toMatchObject({ ok: false });
    const lenient = new TokenService({ secret, clockToleranceSeconds: 120 });
    expect(await lenient.verify(await sign({ sub: 'alice', exp: now() - 60 }))).toMatchObject({ ok: true });
  });

  it('uses the name claim when present and the id otherwise', async () => {
    expect(await service.verify(await sign({ sub: 'bob', exp: now() + 60 }))).toMatchObject({
      ok: true,
      user: { id: 'bob', name: 'bob' },
    });
  });

  it.each([
    ['without exp', { sub: 'alice' }],
    ['without sub', { exp: now() + 60 }],
    ['with a sub that could form a Redis pattern', { sub: '*', exp: now() + 60 }],
    ['with a sub that is not a string', { sub: 42, exp: now() + 60 }],
    ['with an exp that is not a number', { sub: 'alice', exp: 'tomorrow' }],
  ])('refuses a token %s', async (_label, claims) => {
    expect(await service.verify(await sign(claims as JWTPayload))).toEqual({
      ok: false,
      reason: 'invalid',
      message: 'the token is not valid',
    });
  });

  it('refuses a token signed with another secret', async () => {
    const other = new TokenService({ secret: 'x'.repeat(32) });
    const { token } = await other.issue({ id: 'alice', name: 'Alice' });
    expect(await service.verify(token)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('refuses an unsigned token (alg none), with or without a signature', async () => {
    const unsigned = `${base64url({ alg: 'none' })}.${base64url({ sub: 'alice', exp: now() + 60 })}`;
    expect(await service.verify(`${unsigned}.`)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await service.verify(`${unsigned}.c2ln`)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it.each([
    ['empty', ''],
    ['one segment', 'abc'],
    ['three junk segments', 'a.b.c'],
    ['10 KB of garbage', 'x.'.repeat(5_000)],
    [
      '10 KB of random characters',
      Array.from({ length: 10_240 }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 95))).join(''),
    ],
    ['a header that is not JSON', `${Buffer.from('{').toString('base64url')}.${base64url({ sub: 'a' })}.c2ln`],
    ['a payload that is not JSON', `${base64url({ alg: 'HS256' })}.${Buffer.from('[1,').toString('base64url')}.c2ln`],
  ])('refuses %s as malformed or invalid without throwing', async (_label, token) => {
    const result = await service.verify(token);
    expect(result.ok).toBe(false);
    expect(result.ok === false && ['malformed', 'invalid'].includes(result.reason)).toBe(true);
  });

  it('calls garbage malformed', async () => {
    expect(await service.verify('a.b.c')).toEqual({
      ok: false,
      reason: 'malformed',
      message: 'the token is malformed',
    });
  });

  it('checks the issuer and audience when configured, and issues tokens that carry them', async () => {
    const strict = new TokenService({ secret, issuer: 'https://id.example', audience: 'threadcast' });
    const exp = now() + 60;
    const matching = await sign({ sub: 'alice', exp, iss: 'https://id.example', aud: ['other', 'threadcast'] });
    expect(await strict.verify(matching)).toMatchObject({ ok: true });
    for (const claims of [
      { sub: 'alice', exp, iss: 'https://evil.example', aud: 'threadcast' },
      { sub: 'alice', exp, iss: 'https://id.example', aud: 'other' },
      { sub: 'alice', exp, aud: 'threadcast' },
      { sub: 'alice', exp, iss: 'https://id.example' },
    ]) {
      expect(await strict.verify(await sign(claims))).toMatchObject({ ok: false, reason: 'invalid' });
    }
    const { token } = await strict.issue({ id: 'alice', name: 'Alice' });
    expect(await strict.verify(token)).toMatchObject({ ok: true });
    expect(await service.verify(token)).toMatchObject({ ok: true });
  });

  it('refuses bad configurations', () => {
    expect(() => new TokenService({})).toThrow(RangeError);
    expect(() => new TokenService({ secret: 'short' })).toThrow(/at least 32 bytes/);
    expect(() => new TokenService({ jwksUrl: 'not a url' })).toThrow(RangeError);
    expect(() => new TokenService({ jwksUrl: 'file:///etc/jwks.json' })).toThrow(RangeError);
    expect(() => new TokenService({ secret, ttlSeconds: 0 })).toThrow(RangeError);
  });
});

describe('TokenService with a JWKS', () => {
  let rsa: GenerateKeyPairResult;
  let ec: GenerateKeyPairResult;
  let stranger: GenerateKeyPairResult;
  let rsaPem: string;
  let jwksServer: Server;
  let jwksUrl: string;
  let downUrl: string;

  beforeAll(async () => {
    [rsa, ec, stranger] = await Promise.all([
      generateKeyPair('RS256'),
      generateKeyPair('ES256'),
      generateKeyPair('RS256'),
    ]);
    rsaPem = await exportSPKI(rsa.publicKey);
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    jwksServer = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    jwksUrl = `http://127.0.0.1:${await listen(jwksServer)}/.well-known/jwks.json`;
    // A port that was just freed: nothing answers there.
    const down = createServer();
    const downPort = await listen(down);
    await new Promise((resolve) => down.close(resolve));
    downUrl = `http://127.0.0.1:${downPort}/.well-known/jwks.json`;
  });

  afterAll(async () => {
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  const claims = () => ({ sub: 'carol', name: 'Carol', exp: now() + 60 });

  it('verifies RS256 and ES256 tokens with the key their kid names', async () => {
    const service = new TokenService({ jwksUrl });
    const rs = await sign(claims(), rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' });
    const es = await sign(claims(), ec.privateKey, { alg: 'ES256', kid: 'ec-1' });
    for (const token of [rs, es]) {
      expect(await service.verify(token)).toMatchObject({ ok: true, user: { id: 'carol', name: 'Carol' } });
    }
  });

  it('refuses a token for an unknown kid or signed with another key', async () => {
    const service = new TokenService({ jwksUrl });
    const unknownKid = await sign(claims(), stranger.privateKey, { alg: 'RS256', kid: 'nope' });
    const forged = await sign(claims(), stranger.privateKey, { alg: 'RS256', kid: 'rsa-1' });
    expect(await service.verify(unknownKid)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await service.verify(forged)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('refuses an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const publicJwk = JSON.stringify(await exportJWK(rsa.publicKey));
    const confused = [
      await sign(claims(), new TextEncoder().encode(rsaPem), { alg: 'HS256', kid: 'rsa-1' }),
      await sign(claims(), new TextEncoder().encode(publicJwk), { alg: 'HS256', kid: 'rsa-1' }),
    ];
    const jwksOnly = new TokenService({ jwksUrl });
    const both = new TokenService({ jwksUrl, secret });
    for (const token of confused) {
      expect(await jwksOnly.verify(token)).toMatchObject({ ok: false, reason: 'invalid' });
      expect(await both.verify(token)).toMatchObject({ ok: false, reason: 'invalid' });
    }
  });

  it('checks the issuer and audience of external tokens when configured', async () => {
    const service = new TokenService({ jwksUrl, issuer: 'https://id.example', audience: 'threadcast' });
    const header = { alg: 'RS256', kid: 'rsa-1' };
    const good = { ...claims(), iss: 'https://id.example', aud: 'threadcast' };
    expect(await service.verify(await sign(good, rsa.privateKey, header))).toMatchObject({ ok: true });
    const wrongIss = await sign({ ...good, iss: 'https://evil.example' }, rsa.privateKey, header);
    const wrongAud = await sign({ ...good, aud: 'elsewhere' }, rsa.privateKey, header);
    expect(await service.verify(wrongIss)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await service.verify(wrongAud)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('cannot issue without a secret', async () => {
    const service = new TokenService({ jwksUrl });
    expect(service.canIssue).toBe(false);
    await expect(service.issue({ id: 'carol', name: 'Carol' })).rejects.toThrow(/no secret/);
  });

  it('with a secret and a JWKS, accepts both kinds of token, each only with its own key', async () => {
    const service = new TokenService({ jwksUrl, secret });
    expect(service.canIssue).toBe(true);
    const { token: own } = await service.issue({ id: 'dave', name: 'Dave' });
    const external = await sign(claims(), rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' });
    expect(await service.verify(own)).toMatchObject({ ok: true, user: { id: 'dave' } });
    expect(await service.verify(external)).toMatchObject({ ok: true, user: { id: 'carol' } });
    const otherSecret = await sign(claims(), new TextEncoder().encode('y'.repeat(32)));
    expect(await service.verify(otherSecret)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('rejects, rather than refusing the token, when the JWKS is unreachable', async () => {
    const service = new TokenService({ jwksUrl: downUrl, secret });
    const external = await sign(claims(), rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' });
    await expect(service.verify(external)).rejects.toThrow();
    // What can be judged without the JWKS still is.
    const { token: own } = await service.issue({ id: 'dave', name: 'Dave' });
    expect(await service.verify(own)).toMatchObject({ ok: true });
    expect(await service.verify('a.b.c')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await service.verify(`${base64url({ alg: 'RS256' })}.e30.`)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
    const notJson = `${base64url({ alg: 'RS256' })}.${Buffer.from('[1,').toString('base64url')}.c2ln`;
    expect(await service.verify(notJson)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
