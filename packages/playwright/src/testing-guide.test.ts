import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/**
 * docs/testing.md shows only code that runs: each TypeScript block is one of the guide's test files (run by the e2e
 * suite's `guide` project) or the example's Playwright config, byte for byte, and the example runs the same test
 * files from the packed kit (scripts/examples.sh).
 */
const repo = new URL('../../../', import.meta.url);
const read = (path: string) => readFile(new URL(path, repo), 'utf8');
const fenced = async (path: string) => `\`\`\`ts\n${await read(path)}\`\`\``;

async function guideFiles(): Promise<string[]> {
  return (await readdir(new URL('e2e/guide/', repo))).filter((name) => name.endsWith('.spec.ts')).sort();
}

describe('docs/testing.md', () => {
  it('shows each guide test and the example config byte for byte, and no other TypeScript', async () => {
    const guide = await read('docs/testing.md');
    const names = await guideFiles();
    expect(names).toEqual(['cancel.spec.ts', 'failover.spec.ts', 'late-joiner.spec.ts', 'reconnect.spec.ts']);
    const files = [...names.map((name) => `e2e/guide/${name}`), 'examples/playwright-kit/playwright.config.ts'];
    const shown = new Set(await Promise.all(files.map(fenced)));
    for (const block of shown) expect(guide).toContain(block);
    const blocks = guide.match(/^```tsx?\n[\s\S]*?^```/gm) ?? [];
    for (const block of blocks) expect(shown.has(block), `an uncompiled block:\n${block}`).toBe(true);
  });

  it("is what the package's README links to, and the README's example is the reconnect test", async () => {
    const readme = await read('packages/playwright/README.md');
    expect(readme).toContain(await fenced('e2e/guide/reconnect.spec.ts'));
    expect(readme).toContain('(../../docs/testing.md)');
  });

  it('keeps each example under 25 lines, and the example project runs the same files', async () => {
    for (const name of await guideFiles()) {
      const text = await read(`e2e/guide/${name}`);
      expect(text.trimEnd().split('\n').length, name).toBeLessThan(25);
      expect(await read(`examples/playwright-kit/tests/${name}`), name).toBe(text);
    }
  });
});
