import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type ThreadcastOptions } from './options.ts';
import { startStack } from './stack.ts';

const options = (overrides: Partial<ThreadcastOptions>): ThreadcastOptions => ({ ...DEFAULT_OPTIONS, ...overrides });
const server = { command: ['node', 'dist/main.js'] };

describe('startStack refuses options it cannot honour, before starting anything', () => {
  it('needs a way to start a server, or a server to use', async () => {
    await expect(startStack(options({}), '.')).rejects.toThrow(/set threadcastServer .* or threadcastUrl/);
  });

  it('refuses an unknown engine, no servers, and several servers without Redis', async () => {
    const engine = 'postgres' as ThreadcastOptions['threadcastEngine'];
    await expect(startStack(options({ threadcastEngine: engine, threadcastServer: server }), '.')).rejects.toThrow(
      /threadcastEngine is 'embedded' or 'redis', not "postgres"/,
    );
    await expect(startStack(options({ threadcastServer: server, threadcastServers: 0 }), '.')).rejects.toThrow(
      RangeError,
    );
    await expect(startStack(options({ threadcastServer: server, threadcastServers: 2 }), '.')).rejects.toThrow(
      /only through Redis/,
    );
  });

  it('uses an existing server as it is, starting nothing and with no servers to kill', async () => {
    const stack = await startStack(options({ threadcastUrl: 'http://127.0.0.1:4000/' }), '.');
    expect(stack.url).toBe('http://127.0.0.1:4000');
    expect(stack.servers).toBeNull();
    await stack.stop();
  });

  it('says why a server that exits at once did not start, with its output', async () => {
    const failing = { command: [process.execPath, '-e', 'console.error("no such setting"); process.exit(2)'] };
    await expect(startStack(options({ threadcastServer: failing }), '.')).rejects.toThrow(
      /exited before it was ready:\s+no such setting/,
    );
  });
});
