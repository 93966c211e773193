import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonForScript, withBootState } from '../../../src/api/boot-html.js';
import type { BootState } from '../../../src/api/contract.js';

describe('inlining the boot state in the app shell', () => {
  const tricky = [
    '</script><script>alert(1)</script>',
    '</SCRIPT >',
    '<!-- <script>',
    'a & b &amp; c > d',
    'line\u2028separator\u2029',
    'Gŵyl Dewi — 24.5 p',
  ];

  for (const text of tricky)
    it(`keeps ${JSON.stringify(text)} inert and reads it back unchanged`, () => {
      const json = jsonForScript({ name: text });
      assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
      assert.deepEqual(JSON.parse(json), { name: text });
    });

  it('puts the data block at the end of the body, once, leaving the rest as it was', () => {
    const html = '<html><body>\n    <div id="app"></div>\n  </body>\n</html>\n';
    const state = { hub: { timeZone: 'Europe/London', version: '1' } } as BootState;
    const out = withBootState(html, state);
    const block = `<script type="application/json" id="hub-boot">${jsonForScript(state)}</script>`;
    assert.equal(out, html.replace('</body>', `${block}\n  </body>`));
  });
});
