// Reading inventory files: YAML → per-file schema → combined inventory → merged hosts → rules.
// Every problem found is reported with the file it is in, its path and line there; if a value
// came from defaults or a group's vars, the problem is reported where that value is written.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { formatPath, InventoryError, type InventoryIssue } from './errors';
import { closestNames, deepFreeze, deepMerge, groupsOf } from './resolve';
import { checkInventory } from './rules';
import {
  HostSchema,
  InventoryFileSchema,
  show,
  type Group,
  type Host,
  type HostVars,
  type Inventory,
  type InventoryFile,
  type Operator,
} from './schema';

export interface InventorySource {
  /** how the file is named in messages */
  file: string;
  text: string;
}

type Path = Array<string | number>;

interface ParsedFile {
  file: string;
  doc: Document;
  lines: LineCounter;
  data: InventoryFile;
}

/** Where a value was written: a file and the path to it inside that file. */
interface Layer {
  src: ParsedFile;
  base: Path;
  vars: HostVars;
}

/** Read and validate one or more inventory files; they are combined into one inventory. */
export function loadInventory(paths: string[] | string): Inventory {
  const list = typeof paths === 'string' ? [paths] : paths;
  const sources: InventorySource[] = [];
  const issues: InventoryIssue[] = [];
  for (const file of list) {
    try {
      sources.push({ file, text: readFileSync(file, 'utf8') });
    } catch (e) {
      issues.push({ file, path: '', message: `cannot read the file: ${(e as Error).message}` });
    }
  }
  if (issues.length) throw new InventoryError(issues);
  return loadInventorySources(sources);
}

/** Same as loadInventory, from text already in memory. */
export function loadInventorySources(sources: InventorySource[]): Inventory {
  if (sources.length === 0) throw new InventoryError([{ file: '<none>', path: '', message: 'no inventory file given' }]);
  const issues: InventoryIssue[] = [];
  const files = sources.map((s) => parseFile(s, issues)).filter((f): f is ParsedFile => f !== undefined);
  if (issues.length) throw new InventoryError(issues);

  const combined = combine(files, issues);
  if (issues.length || !combined) throw new InventoryError(issues);
  const { inventory, hostLayers, groupFile, operatorFile } = combined;

  const hosts = new Map<string, Host>();
  for (const [name, layers] of hostLayers) {
    const merged = layers.reduce<unknown>((acc, l) => deepMerge(acc, l.vars), {});
    const r = HostSchema.safeParse(merged, { reportInput: true });
    if (r.success) hosts.set(name, r.data);
    else for (const zi of r.error.issues) for (const i of describeZodIssue(zi, HostSchema)) issues.push(atOrigin(layers, i.path, i.message));
  }

  const ruleIssues = checkInventory({ operator: inventory.operator, hosts, hostNames: [...hostLayers.keys()], groups: inventory.groups });
  for (const ri of ruleIssues) {
    const [top, name, ...rest] = ri.path;
    if (top === 'hosts') issues.push(atOrigin(hostLayers.get(String(name)) ?? [], rest, ri.message));
    else if (top === 'groups') issues.push(issueAt(groupFile.get(String(name))!, ri.path, ri.message));
    else issues.push(issueAt(operatorFile, ri.path, ri.message));
  }
  if (issues.length) throw new InventoryError(issues);
  return deepFreeze(inventory);
}

function parseFile(s: InventorySource, issues: InventoryIssue[]): ParsedFile | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(s.text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      const what = e.code === 'DUPLICATE_KEY' ? 'duplicate key: a host, group or setting may appear only once in a mapping' : e.message.split(' at line ')[0];
      issues.push({ file: s.file, path: '', message: `YAML syntax error: ${what}`, line: pos?.line, column: pos?.col });
    }
    return undefined;
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (e) {
    issues.push({ file: s.file, path: '', message: `YAML error: ${(e as Error).message}` });
    return undefined;
  }
  const partial = { file: s.file, doc, lines, data: {} };
  const r = InventoryFileSchema.safeParse(raw, { reportInput: true });
  if (!r.success) {
    for (const zi of r.error.issues) for (const i of describeZodIssue(zi, InventoryFileSchema)) issues.push(issueAt(partial, i.path, i.message));
    return undefined;
  }
  return { ...partial, data: r.data };
}

interface Combined {
  inventory: Inventory;
  hostLayers: Map<string, Layer[]>;
  groupFile: Map<string, ParsedFile>;
  operatorFile: ParsedFile;
}

/** Several files form one inventory: hosts and groups may each be defined once, operator and defaults once. */
function combine(files: ParsedFile[], issues: InventoryIssue[]): Combined | undefined {
  let operator: { value: Operator; src: ParsedFile } | undefined;
  let defaults: { value: HostVars; src: ParsedFile } | undefined;
  const groups: Record<string, Group> = {};
  const groupFile = new Map<string, ParsedFile>();
  const hosts: Record<string, HostVars> = {};
  const hostFile = new Map<string, ParsedFile>();

  for (const f of files) {
    const { data } = f;
    if (data.operator) {
      if (operator) issues.push(issueAt(f, ['operator'], `is already defined in ${operator.src.file}; define it in one file`));
      else operator = { value: data.operator, src: f };
    }
    if (data.defaults) {
      if (defaults) issues.push(issueAt(f, ['defaults'], `are already defined in ${defaults.src.file}; define them in one file`));
      else defaults = { value: data.defaults, src: f };
    }
    for (const [g, group] of Object.entries(data.groups ?? {})) {
      const first = groupFile.get(g);
      if (first) issues.push(issueAt(f, ['groups', g], `duplicate group "${g}": already defined in ${first.file}`));
      else {
        groups[g] = group;
        groupFile.set(g, f);
      }
    }
    for (const [h, vars] of Object.entries(data.hosts ?? {})) {
      const first = hostFile.get(h);
      if (first) issues.push(issueAt(f, ['hosts', h], `duplicate host "${h}": already defined in ${first.file}`));
      else {
        hosts[h] = vars;
        hostFile.set(h, f);
      }
    }
  }
  if (!operator) {
    issues.push({ file: files.map((f) => f.file).join(', '), path: 'operator', message: 'is required in one of the inventory files (asn and prefixes)' });
  }
  if (Object.keys(hosts).length === 0) {
    issues.push({ file: files.map((f) => f.file).join(', '), path: 'hosts', message: 'no host is defined' });
  }
  if (!operator || issues.length) return undefined;

  const inventory: Inventory = { operator: operator.value, defaults: defaults?.value ?? {}, groups, hosts };
  const hostLayers = new Map<string, Layer[]>();
  for (const h of Object.keys(hosts)) {
    const layers: Layer[] = [];
    if (defaults) layers.push({ src: defaults.src, base: ['defaults'], vars: defaults.value });
    for (const g of groupsOf(inventory, h)) layers.push({ src: groupFile.get(g)!, base: ['groups', g, 'vars'], vars: groups[g].vars });
    layers.push({ src: hostFile.get(h)!, base: ['hosts', h], vars: hosts[h] });
    hostLayers.set(h, layers);
  }
  return { inventory, hostLayers, groupFile, operatorFile: operator.src };
}

/** The issue at the most specific layer that sets the value at `path`; the host's own entry if none does. */
function atOrigin(layers: Layer[], path: Path, message: string): InventoryIssue {
  for (let i = layers.length - 1; i >= 0; i--) {
    if (getIn(layers[i].vars, path) !== undefined) return issueAt(layers[i].src, [...layers[i].base, ...path], message);
  }
  const own = layers[layers.length - 1];
  return issueAt(own.src, [...own.base, ...path], message);
}

function getIn(value: unknown, path: Path): unknown {
  let v = value;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function issueAt(src: ParsedFile, path: Path, message: string): InventoryIssue {
  const issue: InventoryIssue = { file: src.file, path: formatPath(path), message };
  // the nearest node that exists: a missing key is reported where its mapping is
  for (let n = path.length; n >= 0; n--) {
    const node = src.doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      const pos = src.lines.linePos(node.range[0]);
      return { ...issue, line: pos.line, column: pos.col };
    }
  }
  return issue;
}

const TYPE_NAMES: Record<string, string> = { array: 'a list', object: 'a mapping', record: 'a mapping', string: 'a string', number: 'a number', boolean: 'true or false' };

/** zod's issue in the inventory's words; an unknown-keys issue becomes one issue per key. */
function describeZodIssue(issue: z.core.$ZodIssue, root: z.ZodType): Array<{ path: Path; message: string }> {
  const path = issue.path as Path;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = keysAt(root, path);
      return issue.keys.map((key) => {
        const close = closestNames(key, allowed, 1);
        const hint = close.length ? `did you mean "${close[0]}"?` : `allowed: ${allowed.join(', ')}`;
        return { path: [...path, key], message: `unknown key "${key}" (${hint})` };
      });
    }
    case 'invalid_type':
      if (issue.input === undefined) return [{ path, message: 'is required' }];
      return [{ path, message: `must be ${TYPE_NAMES[issue.expected] ?? issue.expected} (got ${show(issue.input)})` }];
    case 'invalid_key':
      return [{ path, message: issue.issues[0]?.message ?? issue.message }];
    case 'too_small':
      return [{ path, message: `must have at least ${String(issue.minimum)} entr${issue.minimum === 1 ? 'y' : 'ies'}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

/** The keys an object schema allows at `path`, for "did you mean" hints. */
function keysAt(root: z.ZodType, path: Path): string[] {
  let s: z.ZodType | undefined = root;
  const unwrap = (t: z.ZodType): z.ZodType => {
    let u = t;
    while (u instanceof z.ZodOptional || u instanceof z.ZodDefault) u = u.unwrap() as z.ZodType;
    return u;
  };
  for (const k of path) {
    if (!s) return [];
    s = unwrap(s);
    if (s instanceof z.ZodObject) s = s.shape[String(k)] as z.ZodType | undefined;
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else return [];
  }
  s = s && unwrap(s);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}
