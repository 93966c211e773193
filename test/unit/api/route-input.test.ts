import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { parseRouteInput } from '../../../src/api/route-table.js';
import { field, wholeId } from '../../../src/api/route-schema.js';
import { UserError } from '../../../src/shared/errors.js';

const route = {
  params: z.object({ id: wholeId({ code: 'invalid_feed_id', message: 'feed id must be a whole number' }) }),
  query: z.object({ start: z.string().transform(Number) }),
  body: z.object({
    name: z.string(),
    points: field(z.array(z.tuple([z.number(), z.number()])), {
      code: 'invalid_point',
      message: (path) => `point ${String(path[1])} must be two numbers`,
    }),
    status: field(z.string(), { code: 'gone', status: 404 }).optional(),
  }),
};
const request = (body: unknown, params: Record<string, string> = { id: '7' }) => ({
  params,
  query: { start: '10' },
  body,
});

function refusal(fn: () => unknown): { message: string; status: number; code: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof UserError, String(err));
    return { message: err.message, status: err.status, code: err.code };
  }
  assert.fail('expected a refusal');
}

describe('route input schemas', () => {
  it('hands the handler typed, parsed params, query and body', () => {
    const input = parseRouteInput(route, request({ name: 'a', points: [[1, 2]] }));
    assert.deepEqual(input, {
      params: { id: 7 },
      query: { start: 10 },
      body: { name: 'a', points: [[1, 2]] },
    });
  });

  it("names the field and zod's problem when the field has no rule of its own", () => {
    assert.deepEqual(
      refusal(() => parseRouteInput(route, request({ name: 5, points: [] }))),
      { message: 'name: Invalid input: expected string, received number', status: 400, code: 'invalid_name' },
    );
  });

  it("gives a field's own code, message (with its full path) and status", () => {
    assert.deepEqual(
      refusal(() =>
        parseRouteInput(
          route,
          request({
            name: 'a',
            points: [
              [1, 2],
              [3, 'x'],
            ],
          }),
        ),
      ),
      { message: 'point 1 must be two numbers', status: 400, code: 'invalid_point' },
    );
    assert.deepEqual(
      refusal(() => parseRouteInput(route, request({ name: 'a', points: [], status: 1 }))),
      { message: 'status: Invalid input: expected string, received number', status: 404, code: 'gone' },
    );
  });

  it('checks params before the body, so a bad id is named even with a bad body', () => {
    assert.deepEqual(
      refusal(() => parseRouteInput(route, request({}, { id: '..%2F1' }))),
      { message: 'feed id must be a whole number', status: 400, code: 'invalid_feed_id' },
    );
  });

  it('checks a body that is not a JSON object as {}', () => {
    assert.equal(refusal(() => parseRouteInput(route, request([1, 2]))).code, 'invalid_name');
    assert.equal(refusal(() => parseRouteInput(route, request(undefined))).code, 'invalid_name');
  });

  it('leaves the parts a route declares no schema for as they came', () => {
    const raw = { params: { id: 'x' }, query: { q: '1' }, body: { any: true } };
    assert.deepEqual(parseRouteInput({}, raw), raw);
  });
});
