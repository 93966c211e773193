import { decodeMeta, isAllowedInterval, META_BYTES, VALUE_BYTES } from './phpfina-format.js';

/** One entry of an emoncms feed/list.json export (the fields we use). */
export interface EmoncmsListEntry {
  id: string | number;
  name?: string;
  tag?: string;
  unit?: string;
  engine?: string | number;
  /** "0"/"1" in feed/list.json (Redis hash strings), 0/1 in a feeds table export. */
  public?: string | number | boolean;
}

export interface ImportCandidate {
  emoncmsId: number;
  name: string;
  tag: string;
  unit: string;
  public: boolean;
  intervalS: number;
  startTimeS: number;
  npoints: number;
  /** Bytes of a partial last value that will not be copied. */
  partialBytes: number;
}

export type Verdict = { take: ImportCandidate } | { refuse: { emoncmsId: number; reason: string } };

/** Checks one emoncms PHPFina feed before it is copied; never throws, always says why. */
export function verifyEmoncmsFeed(
  emoncmsId: number,
  metaBytes: Uint8Array | undefined,
  datSize: number | undefined,
  entry: EmoncmsListEntry | undefined,
): Verdict {
  const refuse = (reason: string): Verdict => ({ refuse: { emoncmsId, reason } });
  if (!metaBytes) return refuse(`${emoncmsId}.meta is missing`);
  if (datSize === undefined) return refuse(`${emoncmsId}.dat is missing`);
  if (metaBytes.length !== META_BYTES)
    return refuse(`${emoncmsId}.meta has ${metaBytes.length} bytes, not ${META_BYTES}`);
  if (entry?.engine !== undefined && Number(entry.engine) !== 5) {
    return refuse(`engine ${entry.engine} is not PHPFina (5)`);
  }
  const meta = decodeMeta(metaBytes);
  if (!isAllowedInterval(meta.intervalS))
    return refuse(`interval ${meta.intervalS} s is not one emoncms offers`);
  const npoints = Math.floor(datSize / VALUE_BYTES);
  if (npoints > 0 && meta.startTimeS === 0) return refuse('it has data but no start time');
  if (meta.startTimeS % meta.intervalS !== 0)
    return refuse(`start time ${meta.startTimeS} is not on its ${meta.intervalS} s grid`);
  return {
    take: {
      emoncmsId,
      name: entry?.name?.slice(0, 64) || `emoncms feed ${emoncmsId}`,
      tag: entry?.tag?.slice(0, 64) ?? '',
      unit: entry?.unit?.slice(0, 64) ?? '',
      public: [1, '1', true, 'true'].includes(entry?.public ?? 0),
      intervalS: meta.intervalS,
      startTimeS: meta.startTimeS,
      npoints,
      partialBytes: datSize % VALUE_BYTES,
    },
  };
}
