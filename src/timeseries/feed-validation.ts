import { UserError } from '../shared/errors.js';

// What a feed and a posted point must be; pure, shared by create, update and post.

export function pointProblem(p: { tsS: unknown; value: unknown }, latestS: number): string | undefined {
  if (typeof p.tsS !== 'number' || !Number.isFinite(p.tsS) || p.tsS < 0) return 'time must be unix seconds';
  if (p.tsS > latestS) return `time ${p.tsS} is too far in the future`;
  if (typeof p.value !== 'number') return 'value must be a number';
  if (p.value === Infinity || p.value === -Infinity)
    return 'value must be finite (NaN marks a missing value)';
  return undefined;
}

export function checkText(value: unknown, field: string, minLength: number): string {
  const hasControl = typeof value === 'string' && [...value].some((ch) => ch.charCodeAt(0) < 0x20);
  if (typeof value !== 'string' || value.length < minLength || value.length > 64 || hasControl) {
    throw new UserError(`${field} must be text of ${minLength} to 64 characters`, 400, `invalid_${field}`);
  }
  return value;
}

export function checkRetention(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 36500) {
    throw new UserError(
      'retentionDays must be a whole number of days from 1 to 36500, or null',
      400,
      'invalid_retention',
    );
  }
  return value;
}
