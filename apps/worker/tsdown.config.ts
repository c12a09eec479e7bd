// A relative import, as with vitest.shared.ts: tsdown loads its config without tsx, so it bundles the helper's
// TypeScript only when reached by path (a workspace package's raw .ts would be left for Node to import).
import { defineAppBuild } from '../../tooling/app-build/src/index.ts';

export default defineAppBuild();
