import { join } from 'node:path';
import { defineConfig, type UserConfig } from 'tsdown';
import { inlineFilesReadAtRunTime } from './inline-files.ts';

export { inlineFileReads } from './inline-files.ts';
export { libraryBuild } from './library-build.ts';

/**
 * How an app is built for production: `dist/main.js`, plain ESM that `node --enable-source-maps dist/main.js`
 * runs without tsx. The workspace packages (raw `.ts`) are bundled into it; npm packages stay external and load
 * from the app's node_modules, so each one must be a dependency of the app: the build fails on one that is not.
 */
export function defineAppBuild(): UserConfig {
  return defineConfig({
    entry: ['src/main.ts'],
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    // `main.js`, as package.json's "type": "module" makes it ESM; main.ts's paths relative to itself
    // (`../../web/dist`) hold from dist/ too.
    fixedExtension: false,
    sourcemap: true,
    dts: false,
    clean: true,
    deps: {
      alwaysBundle: [/^@threadcast\//],
      // Nothing from node_modules is bundled: a package a bundled workspace package imports, but the app does
      // not declare, would be. The error names it; add it to the app's dependencies.
      onlyBundle: [],
    },
    plugins: [inlineFilesReadAtRunTime({ appSrc: join(process.cwd(), 'src') })],
  });
}
