import { webcrypto } from 'node:crypto';
import { type UserId, userIdSchema } from '@threadcast/contract';
import {
  createRemoteJWKSet,
  decodeJwt,
  errors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';

export interface User {
  id: UserId;
  name: string;
}

export interface TokenServiceConfig {
  /** HS256 secret (at least 32 bytes). Needed to issue tokens. */
  secret?: string;
  /** URL of a JWKS with the public keys of an external issuer (RS256/RS384/RS512/PS256/PS384/PS512/ES256/ES384/EdDSA). */
  jwksUrl?: string;
  /** Checked when set: `iss` must equal it (and issued tokens carry it). */
  issuer?: string;
  /** Checked when set: `aud` must contain it (and issued tokens carry it). */
  audience?: string;
  /** Seconds of clock skew tolerated on exp/nbf/iat (default 5). */
  clockToleranceSeconds?: number;
  /** Lifetime of issued tokens in seconds (default 12 hours). */
  ttlSeconds?: number;
}

export type TokenRejection = 'malformed' | 'expired' | 'not_yet_valid' | 'invalid';

export type TokenVerification =
  | { ok: true; user: User /** ms since epoch, from `exp` */; expiresAt: number }
  | { ok: false; reason: TokenRejection /** safe to show a client */; message: string };

const SECRET_ALGORITHM = 'HS256';
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];
const DEFAULT_TTL_SECONDS = 12 * 60 * 60;
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;
/**
 * Three non-empty base64url segments: anything else is refused before any key is looked up. An empty signature
 * only ever goes with `alg: none`, which is never accepted.
 */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;

const MESSAGES: Record<TokenRejection, string> = {
  malformed: 'the token is malformed',
  expired: 'the token expired',
  not_yet_valid: 'the token is not valid yet',
  invalid: 'the token is not valid',
};

function rejected(reason: TokenRejection): TokenVerification {
  return { ok: false, reason, message: MESSAGES[reason] };
}

/** What a jose error says about the token, or `null` when it is not the token's fault (a JWKS that is down or broken). */
function rejectionOf(error: unknown): TokenRejection | null {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.claim === 'nbf' && error.reason === 'check_failed' ? 'not_yet_valid' : 'invalid';
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed';
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return 'invalid';
  }
  return null;
}

function secretKey(secret: string): Uint8Array {
  const key = new TextEncoder().encode(secret);
  if (key.byteLength < 32) throw new RangeError('the token secret must be at least 32 bytes');
  return key;
}

function jwksUrl(value: string): URL {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url?.protocol !== 'https:' && url?.protocol !== 'http:')
    throw new RangeError('the JWKS URL must be an http(s) URL');
  return url;
}

function positiveInteger(value: number, label: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${label} must be a positive integer`);
  return value;
}

/**
 * Issues HS256 tokens with its secret and verifies tokens signed either with that secret or with a key of an
 * external issuer's JWKS. The key is chosen by the token's `alg`, from a fixed list per key kind, so a token
 * can never have one kind of key used as the other (HS256 checked against a public key, or `alg: none`).
 */
export class TokenService {
  readonly canIssue: boolean;
  private readonly secret: Uint8Array | null;
  /**
   * The secret imported once as a WebCrypto key for verifying: handed the raw bytes, jose imports a new
   * CryptoKey (a native key object and its promises) for every token it checks.
   */
  private verifyKey: Promise<webcrypto.CryptoKey> | null = null;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | null;
  private readonly algorithms: string[];
  private readonly issuer: string | undefined;
  private readonly audience: string | undefined;
  private readonly clockToleranceSeconds: number;
  private readonly ttlSeconds: number;

  constructor(config: TokenServiceConfig) {
    if (config.secret === undefined && config.jwksUrl === undefined) {
      throw new RangeError('the token service needs a secret or a JWKS URL');
    }
    this.secret = config.secret === undefined ? null : secretKey(config.secret);
    this.jwks = config.jwksUrl === undefined ? null : createRemoteJWKSet(jwksUrl(config.jwksUrl));
    this.canIssue = this.secret !== null;
    this.algorithms = [...(this.secret ? [SECRET_ALGORITHM] : []), ...(this.jwks ? JWKS_ALGORITHMS : [])];
    if (config.issuer === '' || config.audience === '')
      throw new RangeError('the issuer and audience must not be empty');
    this.issuer = config.issuer;
    this.audience = config.audience;
    this.clockToleranceSeconds = config.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
    if (!Number.isFinite(this.clockToleranceSeconds) || this.clockToleranceSeconds < 0) {
      throw new RangeError('the clock tolerance must be a non-negative number of seconds');
    }
    this.ttlSeconds = positiveInteger(config.ttlSeconds ?? DEFAULT_TTL_SECONDS, 'the token lifetime');
  }

  /** Signs a token for `user` with the secret; fails when the service only verifies (JWKS without secret). */
  async issue(user: User, options: { ttlSeconds?: number } = {}): Promise<{ token: string; expiresAt: number }> {
    if (!this.secret) throw new Error('this token service has no secret, so it cannot issue tokens');
    const ttlSeconds = positiveInteger(options.ttlSeconds ?? this.ttlSeconds, 'the token lifetime');
    // A token its own verify() would refuse is a bug of the caller, better reported now.
    if (!userIdSchema.safeParse(user.id).success) throw new RangeError('the user id is not a valid userId');
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + ttlSeconds;
    const jwt = new SignJWT({ name: user.name })
      .setProtectedHeader({ alg: SECRET_ALGORITHM, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt);
    if (this.issuer !== undefined) jwt.setIssuer(this.issuer);
    if (this.audience !== undefined) jwt.setAudience(this.audience);
    return { token: await jwt.sign(this.secret), expiresAt: expiresAt * 1000 };
  }

  /**
   * The token's user, or why the token is refused. Rejects (rather than resolving `ok: false`) only when the
   * JWKS cannot be fetched or read, which is not the client's fault.
   */
  async verify(token: string): Promise<TokenVerification> {
    let payload: JWTPayload;
    try {
      if (typeof token !== 'string' || !COMPACT_JWS.test(token)) return rejected('malformed');
      // A payload that is not a JSON object is malformed whatever the signature: refuse it before any JWKS fetch.
      decodeJwt(token);
      ({ payload } = await jwtVerify(token, this.keyFor, {
        algorithms: this.algorithms,
        issuer: this.issuer,
        audience: this.audience,
        clockTolerance: this.clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      const reason = rejectionOf(error);
      if (reason === null) throw error;
      return rejected(reason);
    }
    // jose checks `iat` is a number but not that it is in the past.
    if (payload.iat !== undefined && payload.iat > Date.now() / 1000 + this.clockToleranceSeconds) {
      return rejected('not_yet_valid');
    }
    const id = userIdSchema.safeParse(payload.sub);
    if (!id.success || payload.exp === undefined) return rejected('invalid');
    const name = typeof payload.name === 'string' && payload.name !== '' ? payload.name : id.data;
    return { ok: true, user: { id: id.data, name }, expiresAt: Math.floor(payload.exp * 1000) };
  }

  /** The key for the token's `alg`: the secret for HS256, the JWKS for the asymmetric list, nothing else. */
  private readonly keyFor = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    const { alg } = header;
    if (alg === SECRET_ALGORITHM && this.secret) {
      this.verifyKey ??= webcrypto.subtle.importKey('raw', this.secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
        'verify',
      ]);
      return this.verifyKey;
    }
    if (alg !== undefined && JWKS_ALGORITHMS.includes(alg) && this.jwks) return this.jwks(header, token);
    throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
  };
}
