import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inlineFileReads } from './inline-files.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inline-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('inlineFileReads', () => {
  it("replaces a read of a file next to the module with the file's text, keeping the module's lines", async () => {
    const script = "-- KEYS[1] the lock\nreturn redis.call('GET', KEYS[1])\n";
    await writeFile(join(dir, 'get-1.lua'), script);
    const code = [
      "import { readFileSync } from 'node:fs';",
      "const GET_SCRIPT = readFileSync(new URL('./get-1.lua', import.meta.url), 'utf8');",
      'export { GET_SCRIPT };',
    ].join('\n');

    const { code: inlined, files } = inlineFileReads(code, join(dir, 'lock.ts'));

    expect(files).toEqual([join(dir, 'get-1.lua')]);
    expect(inlined).not.toContain('import.meta.url');
    expect(inlined.split('\n')).toHaveLength(3);
    const literal = /const GET_SCRIPT = (.*);$/m.exec(inlined)?.[1] as string;
    expect(JSON.parse(literal)).toBe(script);
  });

  it('leaves a module without such reads as it is', () => {
    const code = "const here = new URL('../../web/dist', import.meta.url);";
    expect(inlineFileReads(code, join(dir, 'main.ts'))).toEqual({ code, files: [] });
  });

  it('fails on a file that is not there, naming it', () => {
    const code = "readFileSync(new URL('./missing-1.lua', import.meta.url), 'utf8')";
    expect(() => inlineFileReads(code, join(dir, 'store.ts'))).toThrow(/missing-1\.lua/);
  });
});
