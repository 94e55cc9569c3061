import type { Reporter, RunEvent } from './events';
import { toJsonReport } from './json-schema';

/** --json: silent during the run, then one JSON document. */
export class JsonReporter implements Reporter {
  constructor(private readonly write: (text: string) => void) {}

  onEvent(e: RunEvent): void {
    if (e.type === 'run:done') this.write(JSON.stringify(toJsonReport(e.result), null, 2) + '\n');
  }
}
