import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEMPLATES,
  templateById,
  templateForDescribe,
  templateProblems,
  templateSchema,
} from '../../../src/ingest/template-catalog.js';
import { planTemplate, resolveSteps } from '../../../src/ingest/template-plan.js';

describe('device templates', () => {
  it('ships emonPi solar PV, emonTx4, OpenEVSE, the EmonESP smart plug, Tasmota and Shelly, each valid', () => {
    assert.deepEqual(TEMPLATES.map((t) => t.id).sort(), [
      'emonpi-solar-pv-1',
      'emontx4',
      'openevse',
      'shelly',
      'smartplug',
      'tasmota',
    ]);
    for (const t of TEMPLATES) assert.deepEqual(templateProblems(t), [], t.id);
  });

  it('finds a template by what a node describes itself as', () => {
    assert.equal(templateForDescribe('smartplug')?.id, 'smartplug');
    assert.equal(templateForDescribe(' OpenEVSE ')?.id, 'openevse');
    assert.equal(templateForDescribe('toaster'), undefined);
  });

  it('reports a broken template: unknown process, wrong argument, a name that does not resolve', () => {
    const broken = templateSchema.parse({
      id: 'broken',
      name: 'Broken',
      description: '',
      describe: [],
      feeds: [{ name: 'a', unit: 'W', intervalS: 10 }],
      inputs: [
        {
          name: 'x',
          description: '',
          process: [
            { process: 'make_tea' },
            { process: 'log_to_feed', value: 3 },
            { process: 'log_to_feed', feed: 'b' },
            { process: 'subtract_input', input: 'y' },
          ],
        },
      ],
    });
    assert.deepEqual(templateProblems(broken), [
      'broken: input x, step 1: unknown process make_tea',
      'broken: input x, step 2: log_to_feed takes feed',
      'broken: input x, step 3: no feed b',
      'broken: input x, step 4: no input y',
    ]);
  });

  it('plans everything as new on an empty hub, and reuses by tag+name and node+name', () => {
    const t = templateById('emonpi-solar-pv-1')!;
    const empty = planTemplate(t, 'emonpi', { feeds: [], inputs: [] });
    assert.equal(empty.feeds.filter((f) => f.existingId === undefined).length, 8);
    assert.ok(empty.feeds.every((f) => f.tag === 'emonpi'));
    const partial = planTemplate(t, 'emonpi', {
      feeds: [
        { id: 41, tag: 'emonpi', name: 'use' },
        { id: 42, tag: 'other', name: 'solar' },
      ],
      inputs: [{ id: 7, node: 'emonpi', name: 'power2', processList: [] }],
    });
    assert.equal(partial.feeds.find((f) => f.name === 'use')?.existingId, 41);
    assert.equal(partial.feeds.find((f) => f.name === 'solar')?.existingId, undefined);
    assert.equal(partial.inputs.find((i) => i.name === 'power2')?.existingId, 7);
  });

  it('resolves the emonPi chain to process ids with feed and input ids', () => {
    const t = templateById('emonpi-solar-pv-1')!;
    const feedIds = new Map(t.feeds.map((f, i) => [f.name, 100 + i]));
    const inputIds = new Map([
      ['power1', 1],
      ['power2', 2],
    ]);
    assert.deepEqual(resolveSteps(t.inputs[0]!.process, feedIds, inputIds), [
      { id: 1, arg: 100 },
      { id: 4, arg: 101 },
      { id: 22, arg: 2 },
      { id: 24 },
      { id: 1, arg: 104 },
      { id: 4, arg: 105 },
    ]);
  });
});
