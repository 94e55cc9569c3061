// Playbook selection: playbooks/<name>.ts (compiled to dist/playbooks/<name>.js) exporting
// `playbook`. The name is the host's role unless --playbook overrides it.
import * as fs from 'fs';
import * as path from 'path';
import { InvalidInputError } from '../errors';
import type { Playbook } from '../engine/playbook';
import { closestNames } from '../inventory/resolve';

/** <package root>/playbooks, from src/cli (ts-jest) or dist/src/cli (compiled) alike */
export const DEFAULT_PLAYBOOK_DIR = path.resolve(__dirname, '..', '..', 'playbooks');

export function availablePlaybooks(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.startsWith('_')) // _x: shared code, not a playbook
    .map((f) => f.replace(/\.(ts|js)$/, ''))
    .filter((n, i, all) => all.indexOf(n) === i)
    .sort();
}

export function loadPlaybook<H>(name: string, dir = DEFAULT_PLAYBOOK_DIR): Playbook<H> {
  const known = availablePlaybooks(dir);
  if (!/^[A-Za-z0-9_-]+$/.test(name) || !known.includes(name)) {
    const close = closestNames(name, known);
    throw new InvalidInputError(
      `no playbook "${name}" in ${dir}` + (close.length ? ` (did you mean ${close.join(', ')}?)` : known.length ? ` (playbooks: ${known.join(', ')})` : ''),
    );
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(dir, name)) as { playbook?: Playbook<H> };
  if (!mod.playbook || typeof mod.playbook.tasks !== 'function') {
    throw new InvalidInputError(`playbooks/${name} does not export \`playbook\` (use definePlaybook({ name, tasks }))`);
  }
  return mod.playbook;
}
