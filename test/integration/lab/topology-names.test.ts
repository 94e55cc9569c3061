// A topology the schema accepts comes up whatever its interface names: `ip link add a …` once
// read the name `a` as the keyword `address` and `lab up` died with a stack trace.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { labUp } from '../../../src/lab/up';
import { labDown } from '../../../src/lab/down';
import { execArgv } from '../../../src/lab/exec';
import { requireLabState } from '../../../src/lab/state';
import { REPO, takeLabTurns } from '../helpers/lab';

jest.setTimeout(180_000);
takeLabTurns();

const onNode = (node: string, command: string) => {
  const argv = execArgv(requireLabState().anchors[node], command);
  return spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
};

describe('a topology with one-letter interface names', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'topo-names-'));
  const file = path.join(dir, 'topology.yaml');

  beforeAll(async () => {
    const lab = path.join(REPO, 'src/lab');
    // transit's pa/pb/pc/pe/inet become a/b/c/e/n; the upstreams' pa becomes a
    const text = fs.readFileSync(path.join(lab, 'default-topology.yaml'), 'utf8').replace(/^(\s+)(pa|pb|pc|pe|inet): \{ segment/gm, (_m, sp: string, n: string) => `${sp}${n === 'inet' ? 'n' : n[1]}: { segment`);
    expect(text).toMatch(/^\s+a: \{ segment: provider-a/m);
    fs.writeFileSync(file, text);
    fs.copyFileSync(path.join(lab, 'default-vrps.json'), path.join(dir, 'default-vrps.json'));
    await labDown(undefined, () => undefined);
  });
  afterAll(async () => {
    await labDown(undefined, () => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('comes up, and its links carry traffic', async () => {
    await labUp({ topologyFile: file, say: () => undefined });
    expect(onNode('transit', 'ip -br link show dev a').stdout).toMatch(/^a@\S+\s+UP/);
    expect(onNode('transit', 'ping -c 1 -W 2 198.51.100.44').status).toBe(0);
    expect(onNode('transit', 'ping -c 1 -W 2 2001:db8:e::80').status).toBe(0);
  });
});
