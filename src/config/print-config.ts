// `sklad serve --print-config`: the effective configuration as YAML, each line annotated with where its value
// came from. The output is itself a valid config file (secrets masked), so it doubles as a template.
import { stringify } from 'yaml';
import type { Config, ConfigReport } from './config.js';
import { SETTINGS } from './settings.js';

const MASK = '****';

function yamlValue(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd();
}

export function formatEffectiveConfig(config: Config, report: ConfigReport): string {
  const lines = [`# effective sklad configuration${report.file ? ` (config file: ${report.file})` : ''}; source after each value`];
  const described = new Set<string>();
  for (const s of SETTINGS) {
    described.add(s.field);
    const value = s.display ? s.display(config) : config[s.field];
    const source = report.sources[s.key] ?? 'default';
    const unset = value === undefined || (Array.isArray(value) && value.length === 0);
    if (unset) {
      lines.push(`# ${s.key}: (not set)  # ${source}`);
      continue;
    }
    const shown = s.secret ? (Array.isArray(value) ? value.map(() => MASK) : MASK) : value;
    lines.push(`${s.key}: ${yamlValue(shown)}  # ${source}`);
  }
  // A field added to Config without a row in the settings table still shows up, so nothing is hidden.
  for (const [field, value] of Object.entries(config)) {
    if (!described.has(field) && value !== undefined) lines.push(`# ${field}: ${yamlValue(value)}  # not in the settings table`);
  }
  return lines.join('\n') + '\n';
}
