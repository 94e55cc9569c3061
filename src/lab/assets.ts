// Files of the repository the lab uses at run time (the default topology, the programs copied
// onto lab hosts). They are not TypeScript, so they stay in src/ after a build: find them from
// either src/lab (ts-jest, scripts/) or dist/src/lab (compiled).
import * as fs from 'fs';
import * as path from 'path';

function repoRoot(): string {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'src', 'lab'))) return d;
  }
  throw new Error(`cannot find the provision checkout above ${__dirname}`);
}

/** Absolute path of a file given relative to the repository root, e.g. "src/lab/host-bin". */
export function repoFile(rel: string): string {
  return path.join(repoRoot(), rel);
}
