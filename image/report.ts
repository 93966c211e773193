// scripts/test-image's output: one JSON line per figure or check, and the count of failed checks.
export const results = { failures: 0 };

export function report(kind: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ kind, ...fields })}\n`);
}

export function check(name: string, observed: unknown, ok: boolean): void {
  if (!ok) results.failures++;
  report('check', { name, ok, ...(ok ? {} : { observed }) });
}

export function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
