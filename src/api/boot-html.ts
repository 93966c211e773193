import type { BootState } from './contract.js';

/** The id of the `<script type="application/json">` the app reads its boot state from (ui/src/main.tsx). */
export const BOOT_ELEMENT_ID = 'hub-boot';

// Characters that could end the script element (`</script>`), open a comment (`<!--`) or break a
// line in old JavaScript parsers; JSON.parse reads the escapes back as the same characters.
const UNSAFE_IN_SCRIPT = /[<>&\u2028\u2029]/g;

/** JSON that is inert as the text of an HTML `<script>` element, whatever strings it holds. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    UNSAFE_IN_SCRIPT,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The app shell with `state` inlined as a data block at the end of its body. */
export function withBootState(html: string, state: BootState): string {
  const block = `<script type="application/json" id="${BOOT_ELEMENT_ID}">${jsonForScript(state)}</script>`;
  const end = html.lastIndexOf('</body>');
  return end < 0 ? html + block : `${html.slice(0, end)}${block}\n  ${html.slice(end)}`;
}
