// Line-oriented output for pipes and CI: one line per task result that matters, diffs indented,
// failures with their command, exit code, stderr and hint, then a recap per host.
import type { HostResult, Reporter, RunEvent, TaskResult } from './events';
import { indent, renderChange } from './diff';
import { recapLine } from './recap';

export interface PlainOptions {
  /** print unified diffs / value changes under each changed task */
  diff: boolean;
  /** also print ok tasks and every command sent */
  verbose: boolean;
}

export class PlainReporter implements Reporter {
  private width = 8;

  constructor(
    private readonly write: (text: string) => void,
    private readonly opts: PlainOptions,
  ) {}

  onEvent(e: RunEvent): void {
    switch (e.type) {
      case 'run:start':
        this.width = Math.max(8, ...e.hosts.map((h) => h.length));
        if (e.check) this.write('check mode: nothing will be changed\n');
        break;
      case 'exec':
        if (this.opts.verbose) this.write(`${this.pad(e.host)}  exec     ${e.command.split('\n')[0]} → ${e.code ?? 'lost'} (${e.durationMs} ms)\n`);
        break;
      case 'task:result':
        this.write(this.taskText(e.host, e.result));
        break;
      case 'host:done':
        this.write(this.hostText(e.result));
        break;
      case 'run:done':
        this.write('\n' + e.result.hosts.map((h) => recapLine(h, this.width)).join('\n') + '\n');
        break;
      default:
        break;
    }
  }

  taskText(host: string, r: TaskResult): string {
    if (r.status === 'ok' && !this.opts.verbose) return '';
    const label = r.kind === 'handler' ? `handler: ${r.name}` : r.name;
    let out = `${this.pad(host)}  ${r.status.padEnd(7)}  ${label}${r.note ? `  (${r.note})` : ''}\n`;
    if (this.opts.diff) for (const c of r.changes) out += indent(renderChange(c)) + '\n';
    if (r.error) {
      out += indent(r.error.message) + '\n';
      if (r.error.command) out += indent(`command: ${r.error.command.split('\n').filter((l) => !l.startsWith('#')).join('\n         ')}`) + '\n';
      if (r.error.stderr?.trim()) out += indent(`stderr: ${r.error.stderr.trim()}`) + '\n';
      if (r.error.hint) out += indent(`hint: ${r.error.hint}`) + '\n';
    }
    return out;
  }

  hostText(h: HostResult): string {
    let out = '';
    for (const w of h.warnings) out += `${this.pad(h.host)}  warning  ${w}\n`;
    if (h.unreachable) out += `${this.pad(h.host)}  unreachable  ${h.unreachable}\n`;
    if (h.error) {
      out += `${this.pad(h.host)}  failed   ${h.error.message}\n`;
      if (h.error.hint) out += indent(`hint: ${h.error.hint}`) + '\n';
    }
    return out;
  }

  private pad(host: string): string {
    return host.padEnd(this.width);
  }
}
