// Every flag the CLI has is documented in docs/cli.md under its command, and every flag the
// docs mention exists: the reference cannot drift from the code.
import { readFileSync } from 'fs';
import { join } from 'path';
import type { Command } from 'commander';
import { buildProgram } from '../../../src/cli/program';

const DOC = readFileSync(join(__dirname, '../../../docs/cli.md'), 'utf8');

/** "provision lab up" → its flags, for every command in the tree */
function flagsByCommand(cmd: Command, path: string[] = ['provision'], out = new Map<string, Set<string>>()): Map<string, Set<string>> {
  out.set(path.join(' '), new Set(cmd.options.map((o) => o.long!).filter((f) => f !== '--help')));
  for (const sub of cmd.commands) if (sub.name() !== 'help') flagsByCommand(sub, [...path, sub.name()], out);
  return out;
}

/** "## `provision lab up`" sections of the docs → the --flags named in each */
function documentedFlags(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  let current: string | undefined;
  for (const line of DOC.split('\n')) {
    const h = /^#{2,3} `(provision[^`]*)`/.exec(line);
    if (h) {
      // the command is the leading lower-case words: "provision lab exec HOST -- COMMAND…" → "provision lab exec"
      const words = h[1].split(/\s+/);
      const end = words.findIndex((w) => !/^[a-z][a-z0-9-]*$/.test(w));
      current = (end < 0 ? words : words.slice(0, end)).join(' ');
      out.set(current, new Set());
      continue;
    }
    if (current) for (const m of line.matchAll(/(?<![\w-])(--[a-z][a-z0-9-]*)/g)) out.get(current)!.add(m[1]);
  }
  return out;
}

const program = buildProgram({ stdout: () => undefined, stderr: () => undefined, isTTY: false, cwd: '/' }, () => undefined);
const code = flagsByCommand(program);
const docs = documentedFlags();

test('every command has a section in docs/cli.md', () => {
  expect([...docs.keys()].sort()).toEqual([...code.keys()].sort());
});

test.each([...code.keys()])('%s: the documented flags are exactly the flags it has', (name) => {
  expect([...(docs.get(name) ?? [])].sort()).toEqual([...code.get(name)!].sort());
});
