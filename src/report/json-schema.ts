// The --json document: ONE object printed when the run ends. This zod schema is its contract.
import { z } from 'zod';
import type { RunResult } from './events';

export const JSON_REPORT_VERSION = 1;

const StatusSchema = z.enum(['ok', 'changed', 'failed', 'skipped']);

const TotalsSchema = z.object({ ok: z.number().int(), changed: z.number().int(), failed: z.number().int(), skipped: z.number().int() }).strict();

export const ChangeSchema = z
  .object({
    summary: z.string(),
    diff: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('file'), path: z.string(), before: z.string().nullable(), after: z.string() }).strict(),
      z.object({ kind: z.literal('value'), key: z.string(), before: z.string().nullable(), after: z.string() }).strict(),
    ]),
  })
  .strict();

export const ErrorReportSchema = z
  .object({
    code: z.string(),
    message: z.string(),
    command: z.string().optional(),
    exitCode: z.number().int().optional(),
    stderr: z.string().optional(),
    hint: z.string().optional(),
  })
  .strict();

export const TaskReportSchema = z
  .object({
    name: z.string(),
    kind: z.enum(['task', 'handler']),
    status: StatusSchema,
    changes: z.array(ChangeSchema),
    note: z.string().optional(),
    risk: z.literal('connectivity').optional(),
    durationMs: z.number().nonnegative(),
    error: ErrorReportSchema.optional(),
  })
  .strict();

export const HostReportSchema = z
  .object({
    playbook: z.string().nullable(),
    tasks: z.array(TaskReportSchema),
    totals: TotalsSchema,
    roundTrips: z.number().int().nonnegative(),
    unreachable: z.string().optional(),
    error: ErrorReportSchema.optional(),
    warnings: z.array(z.string()),
    durationMs: z.number().nonnegative(),
  })
  .strict();

export const JsonReportSchema = z
  .object({
    version: z.literal(JSON_REPORT_VERSION),
    runId: z.string(),
    check: z.boolean(),
    hosts: z.record(z.string(), HostReportSchema),
    totals: TotalsSchema,
    durationMs: z.number().nonnegative(),
  })
  .strict();

export type JsonReport = z.infer<typeof JsonReportSchema>;

export function toJsonReport(result: RunResult): JsonReport {
  const hosts: JsonReport['hosts'] = {};
  for (const { host, ...rest } of result.hosts) hosts[host] = rest;
  return { version: JSON_REPORT_VERSION, runId: result.runId, check: result.check, hosts, totals: result.totals, durationMs: result.durationMs };
}
