import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from './i18n.js';

/**
 * A component whose code loads when it is first shown: the dashboard's script need not carry it
 * (on a slow link every KiB is ~20 ms), nor the history page's chart library. A page says
 * "Loading…" meanwhile; a part of a page (`quiet`) shows nothing.
 */
export function lazyComponent<P extends object>(
  load: () => Promise<ComponentType<P>>,
  opts: { quiet?: boolean } = {},
): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return function Lazy(props: P) {
    const { t } = useI18n();
    const [part, setPart] = useState(() => loaded && { Part: loaded });
    useEffect(() => {
      if (!part) void load().then((Part) => setPart({ Part: (loaded = Part) }));
    }, []);
    if (part) return <part.Part {...props} />;
    return opts.quiet ? null : <p class="loading">{t('app.loading')}</p>;
  };
}
