// By path, as the apps' configs: tsdown loads its config without tsx.
import { libraryBuild } from '../../tooling/app-build/src/library-build.ts';

export default libraryBuild({ entry: ['src/index.ts'] });
