import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

describe('createLogger', () => {
  it('writes JSON lines with credentials and Redis command arguments redacted, wherever they sit', () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 'test', level: 'debug' }, { write: (line: string) => lines.push(line) });
    const error = Object.assign(new Error('EVALSHA failed'), { command: { name: 'evalsha', args: ['the prompt'] } });
    logger.info(
      {
        token: 'tok-1',
        session: { token: 'tok-2', user: 'alice' },
        headers: { authorization: 'Bearer tok-3', cookie: 'threadcast_session=tok-4', accept: '*/*' },
        req: { headers: { authorization: 'Bearer tok-5', cookie: 'threadcast_session=tok-6' } },
        config: { secret: 'tok-7', apiKey: 'tok-8', password: 'tok-9' },
        err: error,
        tokens: 42,
      },
      'request',
    );
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? '';
    expect(line).not.toMatch(/tok-\d|the prompt/);
    expect(JSON.parse(line)).toMatchObject({
      service: 'test',
      msg: 'request',
      token: '[redacted]',
      session: { token: '[redacted]', user: 'alice' },
      headers: { authorization: '[redacted]', cookie: '[redacted]', accept: '*/*' },
      err: { message: 'EVALSHA failed', command: { name: 'evalsha', args: '[redacted]' } },
      // A count of tokens is not a credential.
      tokens: 42,
    });
  });
});
