// By path, as the apps' configs: tsdown loads its config without tsx.
import { libraryBuild } from '../../tooling/app-build/src/library-build.ts';

// The test kit's process, port and proxy helpers come from @threadcast/testkit, which is not published: bundled in.
export default libraryBuild({
  entry: { index: 'src/index.ts' },
  platform: 'node',
  fixedExtension: false,
  noExternal: [/^@threadcast\/testkit/],
});
