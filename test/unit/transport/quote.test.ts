// quote() and sh`` against hostile input, proven by a real /bin/sh: each string must arrive as one
// literal argument, and nothing in it may run.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { quote, script, Secret, sh, ShellCommand } from '../../../src/shell/quote';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h4-quote-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Strings that would run something, split, glob or vanish if quoting were wrong. */
function hostile(d: string): string[] {
  return [
    '',
    ' ',
    `$(touch ${d}/dollar-paren)`,
    `\`touch ${d}/backtick\``,
    `"$(touch ${d}/in-double)"`,
    `'$(touch ${d}/in-single)'`,
    `it's`,
    `'`,
    `''`,
    `"`,
    `'\\''`,
    `a'b"c'd"e`,
    `x; touch ${d}/semicolon`,
    `x && touch ${d}/and`,
    `x || touch ${d}/or`,
    `x | tee ${d}/pipe`,
    `x > ${d}/redirect`,
    `x & touch ${d}/background`,
    `line1\ntouch ${d}/newline\nline3`,
    '\n',
    'trailing newline\n\n',
    'tab\there',
    'cr\rhere',
    '*',
    '/*',
    '?',
    '[a-z]*',
    '{a,b}',
    '~',
    '~root',
    '$HOME',
    '${IFS}',
    '$((1+1))',
    '$0 $1 $@ $* $# $?',
    '\\',
    '\\n\\t\\\\',
    '%s %d %%',
    '-n',
    '-e',
    '--',
    '-rf /',
    '!',
    '!!',
    '#not a comment',
    'a=b',
    'héllo wörld ünïcödé',
    '日本語 🌍 \u202e rtl',
    'x'.repeat(10000),
  ];
}

function shPrintf(arg: string): string {
  // Exactly what a remote /bin/sh would get: a command line with the quoted word in it.
  return execFileSync('/bin/sh', ['-c', `printf '%s' ${arg}`], { encoding: 'utf8' });
}

describe('quote()', () => {
  it.each(hostile('/nonexistent').map((s) => [JSON.stringify(s).slice(0, 60), s]))('passes %s literally', (_label, s) => {
    expect(shPrintf(quote(s))).toBe(s);
  });

  it('runs none of the payloads', () => {
    for (const s of hostile(dir)) shPrintf(quote(s));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('keeps each value one word (no field splitting, no globbing)', () => {
    const values = ['a b', '*', '', ' x  y '];
    const out = execFileSync('/bin/sh', ['-c', `printf '<%s>' ${values.map(quote).join(' ')}`], { encoding: 'utf8' });
    expect(out).toBe('<a b><*><>< x  y >');
  });

  it('leaves safe words bare and quotes the rest', () => {
    expect(quote('net.fibs')).toBe('net.fibs');
    expect(quote('/etc/rc.conf')).toBe('/etc/rc.conf');
    expect(quote('')).toBe("''");
    expect(quote('a b')).toBe("'a b'");
    expect(quote("it's")).toBe("'it'\\''s'");
  });

  it('refuses a NUL byte, which no shell argument can hold', () => {
    expect(() => quote('a\0b')).toThrow(/NUL/);
  });
});

describe('sh``', () => {
  it.each(hostile('/nonexistent').map((s) => [JSON.stringify(s).slice(0, 60), s]))('interpolates %s as one literal word', (_label, s) => {
    const cmd = sh`printf '%s|' ${s} end`;
    expect(execFileSync('/bin/sh', ['-c', cmd.text], { encoding: 'utf8' })).toBe(`${s}|end|`);
  });

  it('runs none of the payloads, in arrays or alone', () => {
    const all = hostile(dir);
    const cmd = sh`printf '%s' ${all} ${all[2]} ${7}`;
    execFileSync('/bin/sh', ['-c', cmd.text]);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('expands arrays to several quoted words and numbers to words', () => {
    const cmd = sh`printf '<%s>' ${['a b', "c'd", '']} ${42}`;
    expect(execFileSync('/bin/sh', ['-c', cmd.text], { encoding: 'utf8' })).toBe("<a b><c'd><><42>");
  });

  it('nests an already-built command verbatim', () => {
    const inner = sh`printf '%s' ${'x y'}`;
    const outer = sh`${inner} && printf '%s' ${'$(z)'}`;
    expect(outer.text).toBe(`printf '%s' 'x y' && printf '%s' '$(z)'`);
    expect(execFileSync('/bin/sh', ['-c', outer.text], { encoding: 'utf8' })).toBe('x y$(z)');
  });

  it('reveals a Secret to the shell but masks it in the logged form', () => {
    const pw = new Secret(`s3cr'et $(touch ${dir}/secret)`);
    const cmd = sh`printf '%s' ${pw}`;
    expect(execFileSync('/bin/sh', ['-c', cmd.text], { encoding: 'utf8' })).toBe(pw.value);
    expect(cmd.masked).not.toContain('s3cr');
    expect(String(cmd)).toBe(cmd.masked);
    expect(JSON.stringify({ pw })).not.toContain('s3cr');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('script() joins commands one per line and keeps them masked', () => {
    const s = script(sh`printf '%s\n' ${'a'}`, sh`printf '%s\n' ${new Secret('hidden')}`);
    expect(s).toBeInstanceOf(ShellCommand);
    expect(execFileSync('/bin/sh', ['-c', s.text], { encoding: 'utf8' })).toBe('a\nhidden\n');
    expect(s.masked).not.toContain('hidden');
  });
});
