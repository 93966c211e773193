import { z } from 'zod';
import type { IngestPort, InputsPort, InputState } from '../../ingest/ports.js';
import { API_NAME_RULE, isApiName } from '../../ingest/input-names.js';
import { PROCESSES } from '../../ingest/process-catalog.js';
import { checkSteps } from '../../ingest/process-list-check.js';
import type { Clock } from '../../shared/clock.js';
import { UserError } from '../../shared/errors.js';
import type { InputJson, ProcessInfo } from '../contract.js';
import { defineRoute, type RouteDef } from '../route-table.js';
import { field } from '../route-schema.js';
import { apiName } from './common-schemas.js';

export interface InputRouteDeps {
  ingest: IngestPort & InputsPort;
  feedExists(id: number): boolean;
  clock: Clock;
  ingestBaseTopic: string;
}

/** An input id in the path; anything else is an input that does not exist. */
const inputParams = z.object({
  id: field(z.string().regex(/^\d{1,9}$/), {
    code: 'input_not_found',
    status: 404,
    message: (_path, id) => `input ${String(id)} does not exist`,
  }).transform(Number),
});

/** `{node, timeS?, values: {name: number}}`: the hub's own JSON form of one reading. */
const readingBody = z.object({
  node: apiName('node', 'invalid_node'),
  timeS: field(z.number(), { code: 'invalid_time', message: 'timeS must be unix seconds' }).optional(),
  values: field(
    z.record(z.string(), z.unknown()).refine((v) => Object.keys(v).length > 0),
    { code: 'invalid_values', message: 'values must be an object of name: number' },
  )
    // Each name before any value, as a person reads them.
    .pipe(
      field(z.record(z.string().refine(isApiName), z.unknown()), {
        code: 'invalid_name',
        message: (path) => `input name "${String(path[1])}" must be ${API_NAME_RULE}`,
      }),
    )
    .pipe(
      z.record(
        z.string(),
        field(z.number(), {
          code: 'invalid_value',
          message: (path) => `value of ${String(path[1])} must be a finite number`,
        }),
      ),
    ),
});
/** The hub's own API for inputs and process lists (administrators: inputs are raw configuration). */
export function inputRoutes(deps: InputRouteDeps): RouteDef[] {
  const { ingest } = deps;
  const input = (id: number): InputState => {
    const found = ingest.get(id);
    if (!found) throw new UserError(`input ${id} does not exist`, 404, 'input_not_found');
    return found;
  };
  return [
    {
      method: 'get',
      path: '/api/v1/inputs',
      access: 'admin',
      handler: (_req, res) => res.json(ingest.list().map(toJson)),
    },
    defineRoute({
      method: 'post',
      path: '/api/v1/inputs',
      access: 'admin',
      body: readingBody,
      handler: async (_req, res, { body }) => {
        const readings = {
          node: body.node,
          timeS: body.timeS ?? Math.floor(deps.clock.nowMs() / 1000),
          values: Object.entries(body.values).map(([name, value]) => ({ name, value })),
        };
        const outcome = await ingest.post([readings], 'http');
        if (outcome.refused) throw new UserError(outcome.refusal ?? 'refused', 400, 'refused');
        res.json({ stored: outcome.stored });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/inputs/:id',
      access: 'admin',
      params: inputParams,
      handler: (_req, res, { params }) => res.json(toJson(input(params.id))),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/inputs/:id',
      access: 'admin',
      params: inputParams,
      body: z.object({
        description: field(z.string().max(128), {
          code: 'invalid_description',
          message: 'description must be text of up to 128 characters',
        }),
      }),
      handler: (_req, res, { params, body }) => {
        const { id } = input(params.id);
        ingest.setDescription(id, body.description);
        res.json(toJson(ingest.get(id)!));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/inputs/:id',
      access: 'admin',
      params: inputParams,
      handler: (_req, res, { params }) => {
        ingest.delete([input(params.id).id]);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/inputs/:id/process',
      access: 'admin',
      params: inputParams,
      // checkSteps is the process-list editor's own check, shared with emoncms's input/process/set.
      body: z.object({ steps: z.unknown() }),
      handler: (_req, res, { params, body }) => {
        const { id } = input(params.id);
        const steps = checkSteps(body.steps, {
          feedExists: deps.feedExists,
          inputExists: (inputId) => ingest.get(inputId) !== undefined,
          ingestBaseTopic: deps.ingestBaseTopic,
        });
        if (!steps.ok) throw new UserError(steps.error, 400, 'invalid_process_list');
        ingest.setProcessList(id, steps.value);
        res.json(toJson(ingest.get(id)!));
      },
    }),
    {
      method: 'get',
      path: '/api/v1/processes',
      access: 'admin',
      handler: (_req, res) => {
        const list: ProcessInfo[] = [...PROCESSES.values()].map(({ id, name, label, argType }) => ({
          id,
          name,
          label,
          argType,
        }));
        res.json(list);
      },
    },
  ];
}

function toJson(input: InputState): InputJson {
  const { id, node, name, description, processList, processListError, timeS, value } = input;
  return { id, node, name, description, processList, processListError, timeS, value };
}
