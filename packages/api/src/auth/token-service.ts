import { type UserId, userIdSchema } from '@threadcast/contract';
import { errors, jwtVerify, SignJWT } from 'jose';

export interface User {
  id: UserId;
  name: string;
}

export interface TokenServiceConfig {
  /** HS256 secret, at least 32 bytes. */
  secret: string;
  /** Lifetime of issued tokens in seconds (default 12 hours). */
  ttlSeconds?: number;
}

const ISSUER = 'threadcast';
const ALGORITHMS = ['HS256'];

/** Issues and verifies the signed tokens that say who a request runs as. */
export class TokenService {
  private readonly key: Uint8Array;
  private readonly ttlSeconds: number;

  constructor(config: TokenServiceConfig) {
    this.key = new TextEncoder().encode(config.secret);
    if (this.key.byteLength < 32) throw new RangeError('the token secret must be at least 32 bytes');
    this.ttlSeconds = config.ttlSeconds ?? 12 * 60 * 60;
  }

  issue(user: User): Promise<string> {
    return new SignJWT({ name: user.name })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** The token's user, or `null` for a token that is malformed, forged, expired or not ours. */
  async verify(token: string): Promise<User | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ALGORITHMS,
        issuer: ISSUER,
        clockTolerance: 5,
      });
      const id = userIdSchema.safeParse(payload.sub);
      if (!id.success) return null;
      return { id: id.data, name: typeof payload.name === 'string' ? payload.name : id.data };
    } catch (error) {
      if (error instanceof errors.JOSEError) return null;
      throw error;
    }
  }
}
