import type { ReadinessReport } from '../api/contract.js';
import { describeError, UserError } from '../shared/errors.js';

/**
 * `hub status`: GET /readyz. Anonymous, hubd answers states only; with an API key (the read key
 * is enough) it adds each component's details, so a degraded component shows why.
 */
export async function statusCommand(base: string, apiKey: string | undefined, out: (line: string) => void) {
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const res = await fetch(new URL('/readyz', base), { headers }).catch((err: unknown) => {
    throw new Error(`no hubd answers at ${base} (${describeError(err)})`);
  });
  if (res.status === 401) throw new UserError(`hubd at ${base} does not know that API key`);
  const report = (await res.json()) as ReadinessReport;
  for (const line of formatStatus(base, report)) out(line);
  return report.ready ? 0 : 1;
}

/** One line for the hub, one per component with its details (when given) as key=value. */
export function formatStatus(base: string, report: ReadinessReport): string[] {
  const lines = [`hubd at ${base}: ${report.ready ? 'ready' : 'NOT ready'}`];
  for (const [name, s] of Object.entries(report.components)) {
    const detail = Object.entries(s.detail ?? {})
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    lines.push(`  ${name.padEnd(14)} ${detail ? `${s.state.padEnd(9)} ${detail}` : s.state}`);
  }
  return lines;
}
