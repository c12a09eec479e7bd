// By path, as the apps' configs: tsdown loads its config without tsx.
import { libraryBuild } from '../../tooling/app-build/src/library-build.ts';

// @threadcast/common is bundled in: it is not published, and only a few of its lines are used.
export default libraryBuild({
  entry: { index: 'src/index.ts', 'ai/index': 'src/ai/index.ts' },
  noExternal: ['@threadcast/common'],
});
