import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type UserConfig } from 'tsdown';

// TypeScript 7 has no compiler API: its own `tsc` writes the declarations, which rolldown-plugin-dts then bundles.
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

/** How a published threadcast package is built: ESM for any platform, one bundled `.d.ts` per entry, source maps. */
export function libraryBuild(options: UserConfig): UserConfig {
  return defineConfig({
    format: 'esm',
    platform: 'neutral',
    dts: { tsgo: { path: tsc } },
    sourcemap: true,
    clean: true,
    ...options,
  });
}
