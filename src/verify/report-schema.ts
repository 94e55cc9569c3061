// The `provision verify --json` document: ONE object, every check with expected and actual. This
// zod schema is its contract; the text report shows the same data.
import { z } from 'zod';

export const VERIFY_REPORT_VERSION = 1;

export const CheckSchema = z
  .object({
    host: z.string(),
    kind: z.enum(['tunnel', 'tunnel-traffic', 'bgp-session', 'bgp-advertised', 'exit', 'rpki']),
    name: z.string(),
    expected: z.string(),
    actual: z.string(),
    pass: z.boolean(),
    hint: z.string().optional(),
  })
  .strict();

export const HostVerifySchema = z
  .object({
    host: z.string(),
    checks: z.array(CheckSchema),
    /** the host could not be reached: its checks could not run */
    unreachable: z.string().optional(),
    /** the verification script itself failed */
    error: z.string().optional(),
    durationMs: z.number().nonnegative(),
  })
  .strict();

export const VerifyReportSchema = z
  .object({
    version: z.literal(VERIFY_REPORT_VERSION),
    /** every check passed and every host was reached */
    ok: z.boolean(),
    hosts: z.array(HostVerifySchema),
    totals: z.object({ pass: z.number().int(), fail: z.number().int(), unreachable: z.number().int() }).strict(),
  })
  .strict();

export type Check = z.infer<typeof CheckSchema>;
export type HostVerify = z.infer<typeof HostVerifySchema>;
export type VerifyReport = z.infer<typeof VerifyReportSchema>;
