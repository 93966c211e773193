// hub-updater's two operations: install a bundle file, and recover after a power cut or crash.
// Verification changes nothing; only a verified bundle gets a journal and steps.
import type { KeyObject } from 'node:crypto';
import {
  checkPayload,
  checkVersionRules,
  verifyManifest,
  type PayloadDigest,
  type RefusalCode,
} from './bundle-verify.js';
import {
  beginInstall,
  isActive,
  recover,
  type ActiveJournal,
  type FinishedJournal,
  type Recovery,
} from './install-journal.js';
import { runJournal, type InstallPorts } from './install-runner.js';
import type { BundleHeader } from './manifest.js';
import type { ReleaseStore } from './ports.js';

export interface BundleReader {
  readHeader(file: string): ({ ok: true } & BundleHeader) | { ok: false; reason: string };
  digestPayload(file: string, offset: number): Promise<PayloadDigest>;
}

export interface UpdaterDeps extends Omit<InstallPorts, 'releases'> {
  publicKey: KeyObject;
  bundles: BundleReader;
  /** The release store; with a bundle it can unpack it. */
  releases(bundle?: { file: string; payloadOffset: number }): ReleaseStore;
  /** Removes releases other than these (after an install: the new and the previous one). */
  prune(keep: readonly string[]): string[];
  newId(): string;
}

export type InstallResult =
  | { outcome: 'refused'; code: RefusalCode | 'busy' | 'no-current'; reason: string }
  | { outcome: 'installed'; version: string; fromVersion: string }
  | { outcome: 'rolled-back'; version: string; fromVersion: string; why: string };

function result(journal: FinishedJournal): InstallResult {
  const { version, fromVersion } = journal;
  return journal.phase === 'installed'
    ? { outcome: 'installed', version, fromVersion }
    : { outcome: 'rolled-back', version, fromVersion, why: journal.why };
}

type StepListener = (journal: ActiveJournal) => void;

export class UpdaterService {
  constructor(private readonly deps: UpdaterDeps) {}

  private listeners(extra?: StepListener): StepListener {
    return (journal) => {
      this.deps.onStep?.(journal);
      extra?.(journal);
    };
  }

  /** Checks a bundle without installing it: signature, then payload hash, then version rules. */
  async verify(file: string, opts: { force?: boolean } = {}) {
    const header = this.deps.bundles.readHeader(file);
    if (!header.ok) return { ok: false as const, code: 'bad-format' as const, reason: header.reason };
    const signed = verifyManifest(header, this.deps.publicKey);
    if (!signed.ok) return signed;
    const payload = checkPayload(
      signed.manifest,
      await this.deps.bundles.digestPayload(file, header.payloadOffset),
    );
    if (!payload.ok) return payload;
    const facts = await this.deps.releases().facts();
    if (!facts.currentVersion || !facts.completeVersions.includes(facts.currentVersion)) {
      return {
        ok: false as const,
        code: 'no-current' as const,
        reason: 'no complete current release to fall back to',
      };
    }
    const rules = checkVersionRules(signed.manifest, facts.currentVersion, opts.force ?? false);
    if (!rules.ok) return rules;
    return { ok: true as const, manifest: signed.manifest, header, fromVersion: facts.currentVersion };
  }

  /** `id` names the install in its journal (a request's id); `onStep` hears each step as it starts. */
  async install(
    file: string,
    opts: { force?: boolean; id?: string; onStep?: StepListener } = {},
  ): Promise<InstallResult> {
    const pending = await this.deps.journal.read();
    if (pending && isActive(pending)) {
      return {
        outcome: 'refused',
        code: 'busy',
        reason: `an install of ${pending.version} is unfinished; run recover`,
      };
    }
    const verified = await this.verify(file, opts);
    if (!verified.ok) return { outcome: 'refused', code: verified.code, reason: verified.reason };
    const { manifest, header, fromVersion } = verified;
    const journal = beginInstall({
      id: opts.id ?? this.deps.newId(),
      version: manifest.version,
      fromVersion,
      payloadSha256: manifest.payloadSha256,
      nowMs: this.deps.clock.nowMs(),
    });
    const releases = this.deps.releases({ file, payloadOffset: header.payloadOffset });
    const finished = await runJournal(journal, {
      ...this.deps,
      releases,
      onStep: this.listeners(opts.onStep),
    });
    if (finished.phase === 'installed') this.deps.prune([finished.version, finished.fromVersion]);
    return result(finished);
  }

  /** Run at every start of hub-updater: finishes or rolls back an interrupted install. */
  async recover(
    opts: { onStep?: StepListener } = {},
  ): Promise<{ decision: Recovery; result?: InstallResult }> {
    const releases = this.deps.releases();
    const decision = recover(await this.deps.journal.read(), await releases.facts());
    if (decision.action !== 'resume') return { decision };
    const finished = await runJournal(decision.journal, {
      ...this.deps,
      releases,
      onStep: this.listeners(opts.onStep),
    });
    if (finished.phase === 'installed') this.deps.prune([finished.version, finished.fromVersion]);
    return { decision, result: result(finished) };
  }
}
