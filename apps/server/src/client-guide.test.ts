import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/**
 * docs/client.md shows only compiled code: each TypeScript block is one of these files, byte for byte. The examples'
 * files are typechecked against the packed packages by scripts/examples.sh (which also runs the Node one), the
 * mounting example by `pnpm typecheck` (mount.typetest.ts). Each package's README shows its example the same way.
 */

const repo = new URL('../../../', import.meta.url);
const guide = new URL('docs/client.md', repo);
const snippetDirs = ['examples/react-chat/src/docs/', 'examples/ai-chat/src/docs/'];
const mountExamples = ['apps/server/src/examples/mount.ts', 'apps/server/src/examples/mount-client.ts'];

async function snippetFiles(): Promise<string[]> {
  const listed = await Promise.all(
    snippetDirs.map(async (dir) => (await readdir(new URL(dir, repo))).map((name) => `${dir}${name}`)),
  );
  return [...listed.flat(), ...mountExamples];
}

/** The file as the guide must show it: a fenced block tagged with its extension. */
async function fenced(path: string): Promise<string> {
  const lang = path.endsWith('.tsx') ? 'tsx' : 'ts';
  return `\`\`\`${lang}\n${await readFile(new URL(path, repo), 'utf8')}\`\`\``;
}

describe('docs/client.md', () => {
  it('shows every snippet file byte for byte, as a fenced block of its own', async () => {
    const text = await readFile(guide, 'utf8');
    const files = await snippetFiles();
    expect(files).toContain('examples/react-chat/src/docs/node-client.ts');
    for (const path of files) expect(text, `${path} is not in the guide as written`).toContain(await fenced(path));
  });

  it('has no TypeScript block that is not one of those files', async () => {
    const text = await readFile(guide, 'utf8');
    const shown = new Set(await Promise.all((await snippetFiles()).map(fenced)));
    const blocks = text.match(/^```tsx?\n[\s\S]*?^```/gm) ?? [];
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(shown.has(block), `an uncompiled block:\n${block}`).toBe(true);
  });

  it("is what each package's README links to, and each README's example is compiled too", async () => {
    const readmes = { contract: 'readme/contract.ts', client: 'readme/client.ts', react: 'readme/react.tsx' };
    for (const [name, example] of Object.entries(readmes)) {
      const readme = await readFile(new URL(`packages/${name}/README.md`, repo), 'utf8');
      expect(readme).toContain(await fenced(`examples/react-chat/src/${example}`));
      expect(readme).toContain('(../../docs/client.md)');
    }
  });
});
