import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import type { InputJson } from '../../../src/api/contract.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { startHubWithAdmin, type TestHub } from '../../helpers/hub.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const NOW_S = 1_790_000_000;
const DAY_S = 86_400;
const clock = new ManualClock(NOW_S * 1000);
let hub: TestHub;
let admin: HttpClient;
let writeApiKey: string;

const inputs = async () => (await admin.request('GET', '/api/v1/inputs')).body as InputJson[];
const valuesOf = async (node: string) =>
  Object.fromEntries(
    (await inputs()).filter((i) => i.node === node).map((i) => [i.name, [i.timeS, i.value]]),
  );
const droppedFrames = async () =>
  (
    (await admin.request('GET', '/readyz')).body as {
      components: { ingest: { detail: { droppedFrames: number } } };
    }
  ).components.ingest.detail.droppedFrames;

/** Python's urllib.parse.quote_plus, which `requests` applies to a dict body. */
const quotePlus = (text: string) =>
  [...Buffer.from(text, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9_.~-]/.test(c)) return c;
      return c === ' ' ? '+' : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');

/**
 * A body as openenergymonitor/emonhub's EmonHubEmoncmsHTTPInterfacer._process_post sends it:
 * `POST <url>/input/bulk.json?sentat=<int now>` with `Authorization: Bearer <apikey>`, the frames
 * as `json.dumps(..., separators=(',', ':'))`, either as the form field `data` or, compressed
 * (`&cb=1`, forced by `sendnames`), as a raw zlib body with no Content-Type. emonhub clears its
 * buffer only when the answer is exactly `ok`; anything else is sent again at the next interval.
 */
function emonhubPost(frames: unknown[], compress = false): Promise<Response> {
  const json = JSON.stringify(frames);
  const url = `${hub.baseUrl}/input/bulk.json?sentat=${NOW_S}${compress ? '&cb=1' : ''}`;
  const headers: Record<string, string> = { authorization: `Bearer ${writeApiKey}` };
  if (!compress) headers['content-type'] = 'application/x-www-form-urlencoded';
  const body = compress ? deflateSync(json) : `data=${quotePlus(json)}`;
  return fetch(url, { method: 'POST', headers, body });
}

describe("emonhub's input/bulk: a bad frame never blocks the good ones", () => {
  before(async () => {
    ({ hub, admin } = await startHubWithAdmin(teardown, { clock, config: { ingest: { maxNodes: 3 } } }));
    ({ writeApiKey } = (await admin.request('GET', '/api/v1/me/apikeys')).body as { writeApiKey: string });
  });

  it('stores the good frames of a body with a frame more than a day ahead, answers ok, counts the drop', async () => {
    // emonhub frames: [timestamp, nodeid, values…, rssi]; the middle one was stamped by a wrong clock.
    const frames = [
      [NOW_S - 20, 5, 250.5, 100, -62],
      [NOW_S + DAY_S + 3600, 5, 999, 999, -62],
      [NOW_S - 10, 5, 260, 110, -61],
    ];
    const res = await emonhubPost(frames);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok');
    assert.deepEqual(await valuesOf('5'), {
      '1': [NOW_S - 10, 260],
      '2': [NOW_S - 10, 110],
      '3': [NOW_S - 10, -61],
    });
    assert.equal(await droppedFrames(), 1);
  });

  it('drops a frame of a node over the node cap from a compressed sendnames body and keeps the rest', async () => {
    const before = await droppedFrames();
    // Node 5 exists; the cap of 3 leaves room for emonpi and emontx4 but not emontx5.
    const frames = [
      [NOW_S - 10, 'emonpi', { power1: 300, vrms: 241.2, rssi: -50 }],
      [NOW_S - 10, 'emontx4', { P1: 10 }],
      [NOW_S - 10, 'emontx5', { P1: 20 }],
      [NOW_S, 'emonpi', { power1: 310, vrms: 240.8, rssi: -51 }],
    ];
    const res = await emonhubPost(frames, true);
    assert.equal(await res.text(), 'ok');
    assert.deepEqual(await valuesOf('emonpi'), {
      power1: [NOW_S, 310],
      vrms: [NOW_S, 240.8],
      rssi: [NOW_S, -51],
    });
    assert.deepEqual(await valuesOf('emontx4'), { P1: [NOW_S - 10, 10] });
    assert.deepEqual(await valuesOf('emontx5'), {});
    assert.equal(await droppedFrames(), before + 1);
  });

  it('answers ok to a body whose only frame is unreadable, stores nothing and counts it', async () => {
    const before = (await inputs()).length;
    const dropped = await droppedFrames();
    const res = await emonhubPost([[NOW_S, 'short']]);
    assert.equal(await res.text(), 'ok');
    assert.equal((await inputs()).length, before);
    assert.equal(await droppedFrames(), dropped + 1);
  });

  it('still refuses a body that cannot be read at all', async () => {
    const res = await fetch(`${hub.baseUrl}/input/bulk.json?sentat=${NOW_S}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${writeApiKey}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `data=${quotePlus('[[1,2,3]')}`,
    });
    assert.equal(
      await res.text(),
      '{"success": false, "message": "Format error, json string supplied is not valid"}',
    );
  });
});
