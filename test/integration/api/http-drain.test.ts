import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import express from 'express';
import { DRAIN_MS, HttpServer } from '../../../src/api/http-server.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { Logger } from '../../../src/shared/logger.js';
import { useTeardown } from '../../helpers/teardown.js';

const teardown = useTeardown();
const log: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => log };

describe('HttpServer stop', () => {
  it('drains a request in flight for 2 s on its clock, then closes it', async () => {
    const clock = new ManualClock(0);
    let received: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (received = resolve));
    const app = express();
    app.get('/slow', () => received()); // never answers: the drain has to end it
    const server = new HttpServer(app, '127.0.0.1', 0, log, clock);
    await server.start();
    teardown.add(() => server.stop());

    const answer = new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port: server.listeningPort, path: '/slow' }, () =>
        resolve('answered'),
      );
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.end();
    });
    await arrived;

    let stopped = false;
    const stopping = server.stop().then(() => (stopped = true));
    assert.equal(clock.pendingTimers(), 1, 'the drain deadline is on the clock');
    await clock.tickAsync(DRAIN_MS - 1);
    assert.equal(stopped, false, 'the request in flight gets its 2 s');
    await clock.tickAsync(1);
    await stopping;
    assert.equal(await answer, 'ECONNRESET', 'cut off at the deadline');
    assert.equal(clock.pendingTimers(), 0);
  });

  it('cancels the drain deadline when nothing is open', async () => {
    const clock = new ManualClock(0);
    const server = new HttpServer(express(), '127.0.0.1', 0, log, clock);
    await server.start();
    await server.stop();
    assert.equal(clock.pendingTimers(), 0);
    assert.equal(server.status().state, 'stopped');
  });
});
