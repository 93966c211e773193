import { parseInputBulk } from '../../ingest/bulk-input.js';
import { emoncmsFailure, emoncmsReply, emoncmsSuccess, parseInputPost } from '../../ingest/http-input.js';
import { stripInputName } from '../../ingest/input-names.js';
import type { IngestPort, InputsPort, InputState, PostOutcome } from '../../ingest/ports.js';
import { encodeProcessList, decodeProcessListParam } from '../../ingest/process-list-codec.js';
import { checkSteps } from '../../ingest/process-list-check.js';
import type { Parsed } from '../../ingest/readings.js';
import type { Clock } from '../../shared/clock.js';
import type { RouteDef } from '../route-table.js';
import {
  EmoncmsReply,
  emoncmsRoutes,
  TEXT_PLAIN,
  type EmoncmsCall,
  type EmoncmsEndpoint,
} from './emoncms-route.js';
import { phpInt, phpJsonDecode } from './php-values.js';

export interface EmoncmsInputDeps {
  ingest: IngestPort & InputsPort;
  feedExists(id: number): boolean;
  clock: Clock;
  maxFutureS: number;
  ingestBaseTopic: string;
}

/**
 * The emoncms input API: input/post and input/bulk (what emonhub, EmonESP and OpenEVSE send),
 * the read API and input management, with emoncms's bodies. Inputs are the hub's raw
 * configuration, so reading them needs an administrator (emoncms: any reader of the account).
 */
export function emoncmsInputRoutes(deps: EmoncmsInputDeps): RouteDef[] {
  const { ingest } = deps;
  const nowS = () => Math.floor(deps.clock.nowMs() / 1000);
  const asAdmin = (call: EmoncmsCall) => call.principal?.role === 'admin';
  const params = (call: EmoncmsCall): Record<string, unknown> => {
    const form = call.req.is('application/x-www-form-urlencoded')
      ? (call.req.body as Record<string, unknown>)
      : {};
    return { ...form, ...(call.req.query as Record<string, unknown>) };
  };
  /** Stores a parsed post; the answer is emoncms's text/plain `ok` or its error JSON. */
  const store = async (call: EmoncmsCall, result: ReturnType<typeof parseInputPost>) => {
    if (!call.write) return false;
    let answer: Parsed<{ fulljson: boolean }> = result;
    if (result.ok) {
      const outcome: PostOutcome = await ingest.post([result.value.readings], 'http');
      if (outcome.bufferFull) return bufferFull(outcome);
      if (outcome.refused) answer = { ok: false, error: outcome.refusal ?? 'refused' };
    }
    return new EmoncmsReply(emoncmsReply(answer), TEXT_PLAIN);
  };
  /**
   * A readable bulk body is answered `ok` even when frames were dropped (they are counted in
   * /readyz): emonhub clears its buffer only on `ok` and would otherwise re-send the body for ever.
   * Only a full buffer refuses it whole, so that emonhub keeps it and sends it again.
   */
  const storeBulk = async (call: EmoncmsCall, result: ReturnType<typeof parseInputBulk>) => {
    if (!call.write) return false;
    if (!result.ok) return new EmoncmsReply(emoncmsReply(result), TEXT_PLAIN);
    const outcome = await ingest.postFrames(result.value.frames, 'bulk');
    if (outcome.bufferFull) return bufferFull(outcome);
    return new EmoncmsReply(emoncmsSuccess(result.value.fulljson), TEXT_PLAIN);
  };
  const inputOf = (call: EmoncmsCall): InputState | undefined => {
    const id = call.get('inputid');
    return id !== undefined && /^\d{1,9}$/.test(id) ? ingest.get(Number(id)) : undefined;
  };

  const endpoints: EmoncmsEndpoint[] = [
    {
      path: 'input/post{/:node}',
      action: (call) => {
        const node = typeof call.req.params.node === 'string' ? call.req.params.node : undefined;
        return store(
          call,
          parseInputPost(params(call), nowS(), { maxFutureS: deps.maxFutureS, pathNode: node }),
        );
      },
    },
    {
      path: 'input/bulk',
      action: (call) => {
        const raw = Buffer.isBuffer(call.req.body) ? call.req.body : undefined;
        return storeBulk(call, parseInputBulk(params(call), raw, nowS(), { maxFutureS: deps.maxFutureS }));
      },
    },
    {
      path: 'input/get{/:node}{/:name}',
      action: (call) => {
        if (!asAdmin(call)) return false;
        const byNode = groupByNode(ingest.list(), (i) => ({
          time: i.timeS,
          value: i.value,
          processList: encodeProcessList(i.processList, i.processListError),
        }));
        const nodeParam = call.req.params.node ?? call.get('node');
        if (nodeParam === undefined) return byNode;
        const node = byNode[stripInputName(String(nodeParam))];
        if (!node) return 'Node does not exist';
        const nameParam = call.req.params.name ?? call.get('name');
        if (nameParam === undefined) return node;
        return node[stripInputName(String(nameParam))] ?? 'Node variable does not exist';
      },
    },
    {
      path: 'input/list',
      action: (call) =>
        asAdmin(call)
          ? ingest.list().map((i) => ({
              id: String(i.id),
              nodeid: i.node,
              name: i.name,
              description: i.description,
              processList: encodeProcessList(i.processList, i.processListError),
              time: i.timeS,
              value: i.value,
            }))
          : false,
    },
    {
      path: 'input/getinputs',
      action: (call) =>
        asAdmin(call)
          ? groupByNode(ingest.list(), (i) => ({
              id: String(i.id),
              processList: encodeProcessList(i.processList, i.processListError),
            }))
          : false,
    },
    {
      path: 'input/set',
      action: (call) => {
        const input = inputOf(call);
        if (!call.write || !input) return false;
        const fields = phpJsonDecode(call.get('fields')) as { description?: unknown; name?: unknown } | null;
        if (!fields || typeof fields !== 'object')
          return { success: false, message: 'Field could not be updated' };
        if (fields.name !== undefined)
          return {
            success: false,
            message: 'renaming inputs is not supported; the name is what the device sends',
          };
        const description = fields.description;
        if (typeof description !== 'string') return { success: false, message: 'Field could not be updated' };
        if (stripInputName(description) !== description || description.length > 128)
          return { success: false, message: 'invalid characters in input description' };
        ingest.setDescription(input.id, description);
        return { success: true, message: 'Field updated', inputid: input.id, fields: { description } };
      },
    },
    {
      path: 'input/delete',
      action: (call) => {
        if (!call.write) return false;
        const input = inputOf(call);
        if (input) {
          ingest.delete([input.id]);
          const userid = call.principal!.userId;
          return { success: true, message: 'Input deleted', userid, inputid: input.id };
        }
        const ids = phpJsonDecode(call.get('inputids'));
        if (!Array.isArray(ids)) return false;
        ingest.delete(ids.map((id) => phpInt(id)).filter((id) => id > 0));
        return { success: true, message: 'Inputs deleted', userid: call.principal!.userId, inputids: ids };
      },
    },
    {
      path: 'input/process/get',
      action: (call) => {
        const input = inputOf(call);
        return call.write && input ? encodeProcessList(input.processList, input.processListError) : false;
      },
    },
    {
      path: 'input/process/set',
      action: (call) => {
        const input = inputOf(call);
        if (!call.write || !input) return false;
        const decoded = decodeProcessListParam(call.post('processlist') ?? call.get('processlist') ?? '');
        if (!decoded.ok) return { success: false, message: decoded.error };
        const checked = checkSteps(decoded.value, {
          feedExists: deps.feedExists,
          inputExists: (id) => ingest.get(id) !== undefined,
          ingestBaseTopic: deps.ingestBaseTopic,
        });
        if (!checked.ok) return { success: false, message: checked.error };
        ingest.setProcessList(input.id, checked.value);
        const encoded = encodeProcessList(checked.value, null);
        return { success: true, message: 'Input processlist updated', encoded_processlist: encoded };
      },
    },
    {
      path: 'input/process/reset',
      action: (call) => {
        const input = inputOf(call);
        if (!call.write || !input) return false;
        ingest.setProcessList(input.id, []);
        return { success: true, message: 'Input processlist updated', encoded_processlist: '' };
      },
    },
  ];
  return emoncmsRoutes(endpoints);
}

/**
 * Nothing was stored because the write-behind buffer is full: 503 with emoncms's error body.
 * emonhub keeps its buffer on any non-200 answer (`raise_for_status`) and sends it again; EmonESP
 * and OpenEVSE count a post that is not `ok`/`success: true` as failed.
 */
const bufferFull = (outcome: PostOutcome): EmoncmsReply =>
  new EmoncmsReply(emoncmsFailure(outcome.refusal ?? 'the write-behind buffer is full'), TEXT_PLAIN, 503);

function groupByNode<T>(
  inputs: readonly InputState[],
  shape: (i: InputState) => T,
): Record<string, Record<string, T>> {
  const out: Record<string, Record<string, T>> = {};
  for (const input of inputs) (out[input.node] ??= {})[input.name] = shape(input);
  return out;
}
