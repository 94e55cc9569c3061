// Recorded FreeBSD behaviour (fixtures/freebsd/<command>/): <case>.txt is the expected stdout,
// <case>.stderr.txt the expected stderr (absent = empty), cases.json the argv and exit status.
import { readFileSync, existsSync } from 'fs';
import { join } from 'path';
import type { HostContext } from '../../../src/lab/freebsd/types';
import { exec } from '../../helpers/fake-host';

const ROOT = join(__dirname, '../../../fixtures/freebsd');

interface Case {
  argv: string[];
  exit: number;
  source: string;
}

export function fixtureCase(command: string, name: string): Case & { stdout: string; stderr: string } {
  const cases = JSON.parse(readFileSync(join(ROOT, command, 'cases.json'), 'utf8')) as Record<string, Case>;
  const c = cases[name];
  if (!c) throw new Error(`no fixture ${command}/${name}`);
  const errFile = join(ROOT, command, `${name}.stderr.txt`);
  return {
    ...c,
    stdout: readFileSync(join(ROOT, command, `${name}.txt`), 'utf8'),
    stderr: existsSync(errFile) ? readFileSync(errFile, 'utf8') : '',
  };
}

/** Run a fixture's argv on the host and expect FreeBSD's stdout, stderr and exit status. */
export async function expectCase(host: HostContext, command: string, name: string): Promise<void> {
  const c = fixtureCase(command, name);
  const r = await exec(host, c.argv);
  expect({ stdout: r.stdout, stderr: r.stderr, code: r.code }).toEqual({ stdout: c.stdout, stderr: c.stderr, code: c.exit });
}
