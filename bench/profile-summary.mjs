// Summarises a V8 .cpuprofile (node --cpu-prof): top functions by self time, and self time per module.
// Usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N] [--from US --to US]
// --from/--to restrict it to a window of CLOCK_MONOTONIC microseconds (the profile's own clock, which is
// process.hrtime's too), as bench/run.mjs records per scenario in its JSON (`windows`).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Where a frame's code lives, shortened: a package, a sklad file, a Node internal, or V8's own buckets. */
function moduleOf(url) {
  if (!url) return '(native/V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/(dist|bench|bin)\/(.*)$/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

/**
 * Self time in ms per function and per module, optionally only within `windows` ([{ from, to }] in µs of
 * the profile's clock). Each sample owns the time until the next sample.
 */
export function summarizeProfile(profile, top = 25, windows = undefined) {
  const inWindow = (t) => windows.some((w) => t >= w.from && t <= w.to);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const { samples, timeDeltas } = profile;
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += timeDeltas[i];
    if (windows && !inWindow(at)) continue;
    const us = timeDeltas[i + 1] ?? 0;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + us);
  }
  const fns = new Map();
  const modules = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = functionName || '(anonymous)';
    total += us;
    if (name === '(idle)') idle += us;
    const mod = name.startsWith('(') && !url ? name : moduleOf(url);
    const fnKey = `${name}  ${mod}${url ? `:${lineNumber + 1}` : ''}`;
    fns.set(fnKey, (fns.get(fnKey) ?? 0) + us);
    modules.set(mod, (modules.get(mod) ?? 0) + us);
  }
  const busy = Math.max(1, total - idle);
  const rank = (m) =>
    [...m.entries()]
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, pctBusy: (100 * us) / busy }));
  return { totalMs: total / 1000, idleMs: idle / 1000, busyMs: busy / 1000, functions: rank(fns), modules: rank(modules) };
}

export function formatSummary(s) {
  const lines = [
    `profile: ${s.totalMs.toFixed(0)} ms sampled, ${s.busyMs.toFixed(0)} ms busy (${((100 * s.busyMs) / s.totalMs).toFixed(1)} %), ${s.idleMs.toFixed(0)} ms idle`,
    '',
    'top self time (functions), % of busy time:',
    ...s.functions.map((f) => `  ${f.pctBusy.toFixed(1).padStart(5)} %  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}`),
    '',
    'self time by module, % of busy time:',
    ...s.modules.map((f) => `  ${f.pctBusy.toFixed(1).padStart(5)} %  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}`),
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, from: { type: 'string' }, to: { type: 'string' } },
  });
  const windows = values.from || values.to ? [{ from: Number(values.from ?? 0), to: Number(values.to ?? Infinity) }] : undefined;
  for (const file of positionals) {
    console.log(`# ${file}`);
    console.log(formatSummary(summarizeProfile(JSON.parse(readFileSync(file, 'utf8')), Number(values.top), windows)));
  }
}
