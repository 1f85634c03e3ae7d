// Object Lock rules on one version, shared by every index implementation and by lifecycle and maintenance
// code that must leave locked versions alone: may this version be removed or overwritten now, and may its
// retention change this way. Retention is compared with the server's clock, never the client's.
import type { LockOverride, Retention } from './metadata-index.js';

/** The lock facts of one version. */
export interface VersionLock {
  retention?: Retention;
  legalHold?: boolean;
}

/** Why the version cannot be removed now, or undefined when it can. */
export function lockRefusal(lock: VersionLock, override: LockOverride): string | undefined {
  if (lock.legalHold) return 'the object version is under a legal hold';
  const retention = lock.retention;
  if (retention === undefined || retention.retainUntil.getTime() <= override.now.getTime()) return undefined;
  if (retention.mode === 'COMPLIANCE') return 'the object version is under COMPLIANCE retention';
  return override.bypassGovernance ? undefined : 'the object version is under GOVERNANCE retention';
}

/** True while the version may not be removed without bypassing governance (or at all). */
export function isVersionLocked(lock: VersionLock, now: Date): boolean {
  return lockRefusal(lock, { now }) !== undefined;
}

/**
 * Why `next` may not replace the version's retention, or undefined when it may. Retention in force can always
 * be extended in the same mode, or raised from GOVERNANCE to COMPLIANCE; COMPLIANCE can never be shortened,
 * removed or weakened, by anyone; GOVERNANCE only with the bypass.
 */
export function retentionChangeRefusal(current: Retention | undefined, next: Retention | undefined, override: LockOverride): string | undefined {
  if (current === undefined || current.retainUntil.getTime() <= override.now.getTime()) return undefined;
  const extends_ = next !== undefined && next.retainUntil.getTime() >= current.retainUntil.getTime();
  if (current.mode === 'COMPLIANCE') {
    return extends_ && next.mode === 'COMPLIANCE' ? undefined : 'COMPLIANCE retention can only be extended';
  }
  if (extends_) return undefined;
  return override.bypassGovernance ? undefined : 'shortening or removing GOVERNANCE retention needs x-amz-bypass-governance-retention';
}
