import { z } from 'zod';

// Which hub.json settings take effect while hubd runs. Marked on the schema's fields, so that the
// place a setting is declared says it; whatever is not marked is read at start and needs a restart.

export interface SettingEffect {
  /** true: hubd applies a change without a restart. Inherited by the fields inside. */
  appliesLive: boolean;
}

export const settingEffects = z.registry<SettingEffect>();

/** Whether changing the setting at `path` (e.g. ["mqtt", "port"]) needs hubd to restart. */
export function restartNeededIn(schema: z.ZodType, path: readonly string[]): boolean {
  let node: z.ZodType | undefined = schema;
  let live = false;
  let depth = 0;
  while (node) {
    const mark = settingEffects.get(node);
    if (mark) live = mark.appliesLive;
    const def = node._zod.def as {
      type: string;
      innerType?: z.ZodType;
      in?: z.ZodType;
      shape?: Record<string, z.ZodType>;
    };
    if (def.innerType) node = def.innerType;
    else if (def.type === 'pipe') node = def.in;
    else if (def.type === 'object' && depth < path.length) node = def.shape?.[path[depth++]!];
    else break;
  }
  if (depth < path.length || !node) throw new Error(`hub.json has no setting "${path.join('.')}"`);
  return !live;
}
