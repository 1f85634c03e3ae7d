// Opens the audit log the configuration asks for; the composition root only calls this and close().
import type { Logger } from 'pino';
import { FileAuditLog } from './file-audit-log.js';
import { disabledAuditLog, type AuditLog } from './types.js';

export interface AuditSettings {
  /** False when the operator switched auditing off (`--audit off`). */
  audit: boolean;
  auditDir: string;
  auditMaxFileBytes: number;
  auditSyncMs: number;
}

export interface OpenedAuditLog extends AuditLog {
  /** Starts a new file (SIGUSR2). */
  rotate(): Promise<void>;
}

export async function openAuditLog(settings: AuditSettings, log: Logger): Promise<OpenedAuditLog> {
  if (!settings.audit) {
    log.warn('the audit log is off (--audit off): writes, deletes and denied requests are not recorded');
    return { ...disabledAuditLog, rotate: async () => {} };
  }
  return FileAuditLog.open({
    dir: settings.auditDir,
    maxFileBytes: settings.auditMaxFileBytes,
    syncIntervalMs: settings.auditSyncMs,
    log,
  });
}
