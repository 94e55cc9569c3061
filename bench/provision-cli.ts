// `provision` exactly as src/cli/main.ts runs it, but with the bench's playbooks (bench/playbooks).
import * as path from 'path';
import { runCli } from '../src/cli/program';

runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY: false,
  cwd: process.cwd(),
  playbookDir: path.join(__dirname, 'playbooks'),
}).then((code) => (process.exitCode = code));
