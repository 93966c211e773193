import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyEnvOverrides, configWarnings, validateConfig } from '../../../src/config/validate.js';

const FILE = '/data/hub.json';

function problems(raw: unknown): string[] {
  const result = validateConfig(raw, FILE);
  assert.equal(result.ok, false, 'expected the config to be refused');
  return result.ok ? [] : result.problems;
}

describe('config validation', () => {
  it('fills every default from an empty file', () => {
    const result = validateConfig({}, FILE);
    assert.ok(result.ok);
    assert.equal(result.config.http.port, 8080);
    assert.equal(result.config.mqtt.port, 1883);
    assert.equal(result.config.redis.url, 'auto');
    assert.equal(result.config.redis.keyPrefix, 'hub');
    assert.equal(result.config.log.level, 'info');
  });

  const cases: { name: string; raw: unknown; expected: string }[] = [
    {
      name: 'a port given as text',
      raw: { http: { port: 'eighty' } },
      expected: `${FILE}: field "http.port": expected an integer port from 0 (any free port) to 65535, found "eighty"`,
    },
    {
      name: 'a port out of range',
      raw: { mqtt: { port: 70000 } },
      expected: `${FILE}: field "mqtt.port": expected an integer port from 0 (any free port) to 65535, found 70000`,
    },
    {
      name: 'an unknown top-level key',
      raw: { colour: 'green' },
      expected: `${FILE}: field "colour": unknown key; expected none here, found "colour"`,
    },
    {
      name: 'an unknown nested key',
      raw: { http: { prot: 80 } },
      expected: `${FILE}: field "http.prot": unknown key; expected none here, found "prot"`,
    },
    {
      name: 'a timezone that does not exist',
      raw: { timezone: 'Mars/Olympus' },
      expected: `${FILE}: field "timezone": expected an IANA timezone name such as "Europe/London", found "Mars/Olympus"`,
    },
    {
      name: 'a log level that does not exist',
      raw: { log: { level: 'loud' } },
      expected: `${FILE}: field "log.level": expected one of fatal, error, warn, info, debug, trace, silent, found "loud"`,
    },
    {
      name: 'a section that is not an object',
      raw: { redis: 'localhost' },
      expected: `${FILE}: field "redis": expected`,
    },
  ];
  for (const c of cases) {
    it(`names file, field, expectation and value for ${c.name}`, () => {
      const found = problems(c.raw);
      assert.equal(found.length, 1, found.join('\n'));
      assert.ok(found[0]!.startsWith(c.expected), `${found[0]}\n  does not start with\n${c.expected}`);
    });
  }

  it('accepts port 0 as "any free port"', () => {
    const result = validateConfig({ http: { port: 0 } }, FILE);
    assert.ok(result.ok && result.config.http.port === 0);
  });

  it('reads http.trustProxy as off or proxy addresses; a legacy true trusts loopback only', () => {
    const trustProxy = (value: unknown) => {
      const result = validateConfig({ http: { trustProxy: value } }, FILE);
      return result.ok ? result.config.http.trustProxy : 'refused';
    };
    assert.deepEqual(
      [false, true, 'loopback', '10.0.0.1, 192.168.1.0/24', ['::1', 'fe80::/10']].map(trustProxy),
      [false, ['loopback'], ['loopback'], ['10.0.0.1', '192.168.1.0/24'], ['::1', 'fe80::/10']],
    );
    assert.deepEqual(
      [0, 1, 2, 11, 'everyone', '10.0.0.1/33', '999.0.0.1', [], ['10.0.0.1', 'x']].map(trustProxy),
      Array(9).fill('refused'),
    );
    assert.match(
      problems({ http: { trustProxy: 'everyone' } })[0]!,
      /"http.trustProxy": expected false, or a list/,
    );
  });

  it('refuses a trustProxy hop count, saying to list the proxy address instead', () => {
    const [problem, ...more] = problems({ http: { trustProxy: 1 } });
    assert.deepEqual(more, []);
    assert.match(
      problem!,
      /"http.trustProxy": expected .*hop count .*list the proxy's address instead.*found 1$/,
    );
  });

  it('warns that a legacy trustProxy true is read as loopback, and nothing else', () => {
    assert.deepEqual(configWarnings({ http: { trustProxy: true } }).length, 1);
    assert.match(
      configWarnings({ http: { trustProxy: true } })[0]!,
      /trustProxy: true is read as \["loopback"\]/,
    );
    assert.deepEqual(
      [{}, null, { http: { trustProxy: false } }, { http: { trustProxy: ['loopback'] } }].map(configWarnings),
      [[], [], [], []],
    );
  });
});

describe('environment overrides', () => {
  const base = validateConfig({}, FILE);
  assert.ok(base.ok);

  it('applies every HUB_* variable', () => {
    const result = applyEnvOverrides(base.config, {
      HUB_HTTP_PORT: '0',
      HUB_MQTT_PORT: '18830',
      HUB_REDIS_URL: 'redis://127.0.0.1:6390',
      HUB_TIMEZONE: 'Europe/London',
      HUB_LOG_LEVEL: 'warn',
      HUB_MDNS: '0',
    });
    assert.ok(result.ok);
    assert.deepEqual(
      [
        result.config.http.port,
        result.config.mqtt.port,
        result.config.redis.url,
        result.config.timezone,
        result.config.log.level,
        result.config.pairing.mdns,
      ],
      [0, 18830, 'redis://127.0.0.1:6390', 'Europe/London', 'warn', false],
    );
  });

  it('reads HUB_MDNS as true/false/1/0 and names it when it is neither', () => {
    const on = applyEnvOverrides(base.config, { HUB_MDNS: 'true' });
    assert.ok(on.ok && on.config.pairing.mdns === true);
    const bad = applyEnvOverrides(base.config, { HUB_MDNS: 'yes' });
    assert.equal(bad.ok, false);
    assert.match(
      bad.ok ? '' : bad.problems.join('\n'),
      /environment variable HUB_MDNS: field "pairing.mdns"/,
    );
  });

  it('names the variable when its value is wrong', () => {
    const result = applyEnvOverrides(base.config, { HUB_HTTP_PORT: 'abc' });
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? [] : result.problems, [
      'environment variable HUB_HTTP_PORT: field "http.port": expected an integer port from 0 (any free port) to 65535, found "abc"',
    ]);
  });

  it('ignores empty variables and leaves the input untouched', () => {
    const result = applyEnvOverrides(base.config, { HUB_HTTP_PORT: '' });
    assert.ok(result.ok && result.config.http.port === 8080);
  });
});
