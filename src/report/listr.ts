// TTY output: listr2 shows one live row per host (current task, counts so far); when the run
// ends, the details (diffs, failures) and the recap are printed as the plain reporter would.
import { Listr } from 'listr2';
import type { HostResult, Reporter, RunEvent } from './events';
import { PlainReporter, type PlainOptions } from './plain';

interface HostRow {
  setTitle(title: string): void;
  done(result: HostResult): void;
}

export class ListrReporter implements Reporter {
  private readonly rows = new Map<string, HostRow>();
  private readonly pending = new Map<string, (row: HostRow) => void>();
  private readonly details: string[] = [];
  private readonly plain: PlainReporter;
  private running: Promise<unknown> = Promise.resolve();
  private counts = new Map<string, number>();

  constructor(
    private readonly write: (text: string) => void,
    opts: PlainOptions,
  ) {
    // buffered: printed once listr2 has released the terminal
    this.plain = new PlainReporter((t) => this.details.push(t), opts);
  }

  onEvent(e: RunEvent): void {
    switch (e.type) {
      case 'run:start': {
        this.plain.onEvent(e);
        const list = new Listr(
          e.hosts.map((host) => ({
            title: `${host}: waiting`,
            task: (_ctx: unknown, task: { title: string }) =>
              new Promise<void>((resolve, reject) => {
                this.rows.set(host, {
                  setTitle: (title) => (task.title = title),
                  done: (r) => {
                    task.title = `${host}: ok=${r.totals.ok} changed=${r.totals.changed} failed=${r.totals.failed} skipped=${r.totals.skipped}`;
                    if (r.unreachable) reject(new Error(`${host}: unreachable: ${r.unreachable}`));
                    else if (r.error || r.totals.failed > 0) reject(new Error(task.title));
                    else resolve();
                  },
                });
                this.pending.get(host)?.(this.rows.get(host)!);
              }),
          })),
          { concurrent: true, exitOnError: false, registerSignalListeners: false },
        );
        this.running = list.run().catch(() => undefined);
        break;
      }
      case 'task:start': {
        const n = (this.counts.get(e.host) ?? 0) + 1;
        this.counts.set(e.host, n);
        this.rows.get(e.host)?.setTitle(`${e.host}: [${n}] ${e.kind === 'handler' ? 'handler: ' : ''}${e.task}`);
        break;
      }
      case 'task:result':
        this.plain.onEvent(e);
        break;
      case 'host:done': {
        this.plain.onEvent(e);
        const row = this.rows.get(e.result.host);
        if (row) row.done(e.result);
        else this.pending.set(e.result.host, (r) => r.done(e.result));
        break;
      }
      case 'run:done':
        this.plain.onEvent(e);
        break;
      default:
        break;
    }
  }

  async finish(): Promise<void> {
    await this.running;
    this.write(this.details.join(''));
  }
}
