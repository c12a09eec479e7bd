import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/**
 * docs/testing.md shows only code that runs: each TypeScript block is one of examples/playwright-kit's test files or
 * its Playwright config, byte for byte, and scripts/examples.sh (in `npm test`) runs them with the packed kit.
 */
const repo = new URL('../../../', import.meta.url);
const examples = 'examples/playwright-kit/';
const read = (path: string) => readFile(new URL(path, repo), 'utf8');
const fenced = async (path: string) => `\`\`\`ts\n${await read(path)}\`\`\``;

async function guideFiles(): Promise<string[]> {
  return (await readdir(new URL(`${examples}tests/`, repo))).filter((name) => name.endsWith('.spec.ts')).sort();
}

describe('docs/testing.md', () => {
  it('shows each guide test and the example config byte for byte, and no other TypeScript', async () => {
    const guide = await read('docs/testing.md');
    const names = await guideFiles();
    expect(names).toEqual(['cancel.spec.ts', 'failover.spec.ts', 'late-joiner.spec.ts', 'reconnect.spec.ts']);
    const files = [...names.map((name) => `${examples}tests/${name}`), `${examples}playwright.config.ts`];
    const shown = new Set(await Promise.all(files.map(fenced)));
    for (const block of shown) expect(guide).toContain(block);
    const blocks = guide.match(/^```tsx?\n[\s\S]*?^```/gm) ?? [];
    for (const block of blocks) expect(shown.has(block), `an uncompiled block:\n${block}`).toBe(true);
  });

  it("is what the package's README links to, and the README's example is the reconnect test", async () => {
    const readme = await read('packages/playwright/README.md');
    expect(readme).toContain(await fenced(`${examples}tests/reconnect.spec.ts`));
    expect(readme).toContain('(../../docs/testing.md)');
  });

  it('keeps each example under 25 lines', async () => {
    for (const name of await guideFiles()) {
      const lines = (await read(`${examples}tests/${name}`)).trimEnd().split('\n').length;
      expect(lines, name).toBeLessThan(25);
    }
  });
});
