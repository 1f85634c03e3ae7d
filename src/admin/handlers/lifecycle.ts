// A dry run of a bucket's lifecycle rules: what they would delete today, for operators checking a rule before
// (or after) it takes effect.
import { previewLifecycle } from '../../lifecycle/preview.js';
import { AdminError } from '../errors.js';
import { ok, type AdminCall, type AdminResult } from '../route.js';
import type { LifecyclePreviewView } from '../types.js';
import { mustBucket } from './lookup.js';

const LISTED = 1000;

export async function getLifecyclePreview({ deps, params }: AdminCall): Promise<AdminResult> {
  const bucket = await mustBucket(deps.index, params.name!);
  const ruleId = params.rule;
  const rules = bucket.lifecycle?.rules ?? [];
  if (ruleId !== undefined && !rules.some((r) => r.id === ruleId)) {
    throw new AdminError(404, 'NoSuchEntity', `The bucket ${bucket.name} has no lifecycle rule with ID ${ruleId}.`);
  }
  const preview = await previewLifecycle(deps.index, bucket, { dayMs: deps.settings.lifecycleDayMs, now: new Date(), ruleId, limit: LISTED });
  const view: LifecyclePreviewView = {
    bucket: bucket.name,
    rules: rules.filter((r) => ruleId === undefined || r.id === ruleId).map((r) => ({ id: r.id, enabled: r.enabled })),
    until: preview.until.toISOString(),
    objects: preview.objects.map((o) => ({ key: o.key, versionId: o.versionId, action: o.action, size: o.size, rule: o.rule, due: o.due.toISOString() })),
    uploads: preview.uploads.map((u) => ({ key: u.key, uploadId: u.uploadId, initiated: u.initiated.toISOString(), rule: u.rule, due: u.due.toISOString() })),
    totals: preview.totals,
    truncated: preview.truncated,
  };
  return ok(view);
}
