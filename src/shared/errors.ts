/** An error whose message is written for a person, with the HTTP status it maps to. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly status: number = 400,
    readonly code: string = 'bad_request',
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
