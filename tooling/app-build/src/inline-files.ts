import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TsdownPlugin } from 'tsdown';

/**
 * Spelled in pieces: tsdown's config loader (unrun) rewrites the words everywhere in this file, even in strings, to
 * this file's own URL.
 */
const META_URL = ['import', 'meta', 'url'].join('.');

/** `readFileSync(new URL('./name.lua', import.meta.url), 'utf8')`: a file next to the module, read at start-up. */
const RELATIVE_READ = /readFileSync\(\s*new URL\(\s*'(\.\/[^'\\]+)'\s*,\s*import\.meta\.url\s*\)\s*,\s*'utf8'\s*\)/g;

export interface InlinedReads {
  code: string;
  /** Absolute paths of the files whose text replaced their reads. */
  files: string[];
}

/**
 * Replaces each read of a file next to `modulePath` (the Lua scripts of the Redis bus and store) with the file's
 * text as a string literal. Bundled, the module no longer sits next to its files: its `import.meta.url` is the
 * bundle's, so the read would look in dist/ instead.
 */
export function inlineFileReads(code: string, modulePath: string): InlinedReads {
  const files: string[] = [];
  const moduleUrl = pathToFileURL(modulePath);
  const inlined = code.replace(RELATIVE_READ, (_read, relative: string) => {
    const file = fileURLToPath(new URL(relative, moduleUrl));
    files.push(file);
    // One line, newlines escaped: the module keeps its line numbers, so its source map stays right line by line.
    return JSON.stringify(readFileSync(file, 'utf8'));
  });
  return { code: inlined, files };
}

/**
 * Inlines the files bundled modules read next to themselves, and fails the build on any other use of
 * `import.meta.url` outside the app's own `src/` folder: bundled, it would point into dist/.
 * (The entry's own `../../web/dist` resolves the same from `src/` and from `dist/`.)
 */
export function inlineFilesReadAtRunTime(options: { appSrc: string }): TsdownPlugin {
  return {
    name: 'threadcast:inline-files-read-at-run-time',
    transform: {
      filter: { id: /\.ts$/, code: META_URL },
      handler(code, id) {
        const { code: inlined, files } = inlineFileReads(code, id);
        for (const file of files) this.addWatchFile(file);
        if (inlined.includes(META_URL) && dirname(id) !== options.appSrc)
          this.error(
            `${id} uses ${META_URL}, which in the bundle is dist/main.js's: read files next to a module as ` +
              `readFileSync(new URL('./<file>', ${META_URL}), 'utf8') (inlined at build time), or move the code ` +
              `to ${join(options.appSrc, '<file>.ts')}`,
          );
        return files.length === 0 ? null : { code: inlined, map: null };
      },
    },
  };
}
