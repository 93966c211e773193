import type { Request } from 'express';
import type { IngestPort, InputsPort, InputState } from '../../ingest/ports.js';
import { PROCESSES } from '../../ingest/process-catalog.js';
import { checkSteps } from '../../ingest/process-list-check.js';
import type { NodeReadings } from '../../ingest/readings.js';
import type { Clock } from '../../shared/clock.js';
import { UserError } from '../../shared/errors.js';
import type { InputJson, ProcessInfo } from '../contract.js';
import type { RouteDef } from '../route-table.js';
import { bodyOf } from './session.js';

export interface InputRouteDeps {
  ingest: IngestPort & InputsPort;
  feedExists(id: number): boolean;
  clock: Clock;
  ingestBaseTopic: string;
}

/** The hub's own API for inputs and process lists (administrators: inputs are raw configuration). */
export function inputRoutes(deps: InputRouteDeps): RouteDef[] {
  const { ingest } = deps;
  const input = (req: Request): InputState => {
    const id = String(req.params.id);
    const found = /^\d{1,9}$/.test(id) ? ingest.get(Number(id)) : undefined;
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
    {
      method: 'post',
      path: '/api/v1/inputs',
      access: 'admin',
      handler: async (req, res) => {
        const readings = readingsOf(bodyOf(req), deps.clock.nowMs() / 1000);
        const outcome = await ingest.post([readings], 'http');
        if (outcome.refused) throw new UserError(outcome.refusal ?? 'refused', 400, 'refused');
        res.json({ stored: outcome.stored });
      },
    },
    {
      method: 'get',
      path: '/api/v1/inputs/:id',
      access: 'admin',
      handler: (req, res) => res.json(toJson(input(req))),
    },
    {
      method: 'patch',
      path: '/api/v1/inputs/:id',
      access: 'admin',
      handler: (req, res) => {
        const { id } = input(req);
        const description = bodyOf(req).description;
        if (typeof description !== 'string' || description.length > 128)
          throw new UserError('description must be text of up to 128 characters', 400, 'invalid_description');
        ingest.setDescription(id, description);
        res.json(toJson(ingest.get(id)!));
      },
    },
    {
      method: 'delete',
      path: '/api/v1/inputs/:id',
      access: 'admin',
      handler: (req, res) => {
        ingest.delete([input(req).id]);
        res.status(204).end();
      },
    },
    {
      method: 'put',
      path: '/api/v1/inputs/:id/process',
      access: 'admin',
      handler: (req, res) => {
        const { id } = input(req);
        const steps = checkSteps(bodyOf(req).steps, {
          feedExists: deps.feedExists,
          inputExists: (inputId) => ingest.get(inputId) !== undefined,
          ingestBaseTopic: deps.ingestBaseTopic,
        });
        if (!steps.ok) throw new UserError(steps.error, 400, 'invalid_process_list');
        ingest.setProcessList(id, steps.value);
        res.json(toJson(ingest.get(id)!));
      },
    },
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

/** `{node, timeS?, values: {name: number}}`: the hub's own JSON form of one reading. */
function readingsOf(body: Record<string, unknown>, nowS: number): NodeReadings {
  const { node, timeS = Math.floor(nowS), values } = body;
  if (typeof node !== 'string' || !/^[\p{L}\p{N}_. -]{1,64}$/u.test(node))
    throw new UserError('node must be 1 to 64 letters, digits, spaces, "_", "-" or "."', 400, 'invalid_node');
  if (typeof timeS !== 'number' || !Number.isFinite(timeS))
    throw new UserError('timeS must be unix seconds', 400, 'invalid_time');
  if (!values || typeof values !== 'object' || Array.isArray(values) || Object.keys(values).length === 0)
    throw new UserError('values must be an object of name: number', 400, 'invalid_values');
  const readings = Object.entries(values as Record<string, unknown>).map(([name, value]) => {
    if (!/^[\p{L}\p{N}_. -]{1,64}$/u.test(name))
      throw new UserError(
        `input name "${name}" has characters other than letters, digits, "_", "-", "."`,
        400,
        'invalid_name',
      );
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new UserError(`value of ${name} must be a finite number`, 400, 'invalid_value');
    return { name, value };
  });
  return { node, timeS, values: readings };
}
