import { libraryBuild } from '../../scripts/library-build.ts';

export default libraryBuild({ entry: ['src/index.ts'] });
