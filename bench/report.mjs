// Renders a bench/results/<timestamp>.json file as Markdown (results table and targets), for docs/performance.md.
// Usage: node bench/report.mjs bench/results/<timestamp>.json
import { readFileSync } from 'node:fs';

function fmt(value, unit) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  if (unit === 's/GiB') return value.toFixed(2);
  if (unit === 'ms') return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
  if (value >= 1000) return Math.round(value).toLocaleString('en');
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

for (const file of process.argv.slice(2)) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const lines = [
    `Command \`${r.command}\`, started ${r.started}, ${r.mode} mode, median of ${r.params.runs} runs (peak RSS: max of runs); ` +
      `load average ${r.machine.loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${r.machine.loadAfter.map((l) => l.toFixed(2)).join(' ')} after.`,
    '',
    '| scenario | unit | sklad | ceiling | sklad ÷ ceiling |',
    '| --- | --- | ---: | ---: | ---: |',
  ];
  for (const row of r.rows) {
    const ratio = row.skladFigure !== undefined && row.ceilingFigure !== undefined ? `${(row.skladFigure / row.ceilingFigure).toFixed(2)}×` : '—';
    lines.push(`| ${row.label} | ${row.unit} | ${fmt(row.skladFigure, row.unit)} | ${fmt(row.ceilingFigure, row.unit)} | ${ratio} |`);
  }
  if (r.seeding.length) {
    lines.push('', `LIST seeding (0-byte PUTs at concurrency ${r.params.seedConcurrency}): ` +
      r.seeding.map((s) => `${s.from.toLocaleString('en')} → ${s.to.toLocaleString('en')} keys in ${s.seconds.toFixed(1)} s (${s.putsPerSecond.toFixed(0)} PUT/s)`).join('; ') + '.');
  }
  lines.push('', `Idle RSS: sklad ${r.idleRssMiB.sklad.toFixed(0)} MiB, ceiling ${r.idleRssMiB.ceiling.toFixed(0)} MiB. ` +
    `Phase durations: ${Object.entries(r.durationsSeconds).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')}.`);
  lines.push('', '| target | goal | measured | result |', '| --- | --- | ---: | --- |');
  for (const t of r.targets) {
    const result = t.met === undefined ? 'not measured' : `${t.met ? 'met' : '**missed**'} (${t.by.startsWith('-') ? t.by : `+${t.by}`})`;
    lines.push(`| ${t.name} | ${t.goal} | ${t.show} | ${result} |`);
  }
  lines.push('', r.summary.replace(/^summary: /, 'Summary: '));
  console.log(lines.join('\n'));
}
