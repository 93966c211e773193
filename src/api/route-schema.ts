import { z } from 'zod';
import { UserError } from '../shared/errors.js';

// Route input schemas (zod) and how a failed one becomes the hub's {error, code} answer. Pure.

type Path = readonly PropertyKey[];

/** What a client is told when a field fails: its stable code, and a sentence naming the field. */
export interface FieldRule {
  code: string;
  /** Default: "<field>: <what zod found wrong>". A function gets the full path, the value and that. */
  message?: string | ((path: Path, input: unknown, problem: string) => string);
  /** Default 400; 404 where a malformed id is just an id that does not exist. */
  status?: number;
}

interface RuleParams {
  rule: FieldRule;
  /** zod does not keep the value in its issues. */
  input: unknown;
}

/**
 * `schema`, with the code and message a client gets when the value fails it (the first problem
 * only). Wrapped fields nest: the outermost rule a failure passes through names it.
 */
export function field<T extends z.ZodType>(
  schema: T,
  rule: FieldRule | string,
): z.ZodType<z.output<T>, z.input<T>> {
  const fullRule = typeof rule === 'string' ? { code: rule } : rule;
  // optional(): zod refuses an absent key before a transform runs unless told; `schema` decides.
  return z
    .unknown()
    .optional()
    .transform((value, ctx): z.output<T> => {
      const result = schema.safeParse(value);
      if (result.success) return result.data;
      const issue = result.error.issues[0]!;
      const params: RuleParams = { rule: fullRule, input: value };
      ctx.issues.push({
        code: 'custom',
        message: issue.message,
        input: value,
        path: [...issue.path],
        params,
      });
      return z.NEVER;
    }) as unknown as z.ZodType<z.output<T>, z.input<T>>; // composes like `schema` itself
}

/** A whole-number id in a path (`/feeds/:id`): 1 to 9 digits, so it is a safe integer and no path. */
export function wholeId(rule: FieldRule | string) {
  return field(z.string().regex(/^\d{1,9}$/), rule).transform(Number);
}

/** An optional query flag: "1" or "true" is on, anything else (or nothing) off. */
export const queryFlag = z
  .unknown()
  .optional()
  .transform((v) => v === '1' || v === 'true');

export type InputPart = 'params' | 'query' | 'body';

/** The UserError for the first problem zod found in one part of a request. */
export function inputError(part: InputPart, error: z.ZodError): UserError {
  const issue = error.issues[0]!;
  const params = (issue as { params?: Partial<RuleParams> }).params;
  const rule = params?.rule;
  const where = issue.path.map(String).join('.') || part;
  const message =
    typeof rule?.message === 'function'
      ? rule.message(issue.path, params?.input, issue.message)
      : (rule?.message ?? `${where}: ${issue.message}`);
  const code = rule?.code ?? `invalid_${String(issue.path[0] ?? part)}`;
  return new UserError(message, rule?.status ?? 400, code);
}
