// Release versions: MAJOR.MINOR.PATCH with an optional pre-release (semver precedence, no build
// metadata). A version names a folder (releases/<version>), so the pattern admits no '/' or '..'.
const VERSION =
  /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export function isVersion(text: string): boolean {
  return VERSION.test(text);
}

interface ParsedVersion {
  core: [number, number, number];
  pre: string[];
}

function parseVersion(text: string): ParsedVersion {
  const m = VERSION.exec(text);
  if (!m) throw new Error(`not a version (MAJOR.MINOR.PATCH[-pre]): ${JSON.stringify(text)}`);
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
}

function comparePre(a: string[], b: string[]): number {
  // A release sorts after its pre-releases (1.0.0-rc.1 < 1.0.0).
  if (a.length === 0 || b.length === 0) return b.length - a.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    const xNum = /^\d+$/.test(x);
    const yNum = /^\d+$/.test(y);
    if (xNum && yNum) return Number(x) - Number(y);
    if (xNum !== yNum) return xNum ? -1 : 1; // numeric identifiers sort first
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Negative when a is older than b, 0 when equal, positive when newer (semver precedence). */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (let i = 0; i < 3; i++) {
    const d = x.core[i]! - y.core[i]!;
    if (d !== 0) return Math.sign(d);
  }
  return Math.sign(comparePre(x.pre, y.pre));
}
