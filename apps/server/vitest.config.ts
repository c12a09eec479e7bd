import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.ts';

export default defineConfig({
  // Two files at a time (vitest's default is one fewer than the cores: one, on a 2-core machine). Most of these
  // suites wait on paced runs in child processes, so the second core sat idle: 183 s instead of 337 s here, and
  // the suites pass with a CPU hog beside them (220 s).
  test: { ...sharedTestOptions, maxWorkers: 2 },
});
