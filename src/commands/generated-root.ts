// How `sklad serve` tells the operator about root credentials it has just generated.
import type { Logger } from 'pino';

export interface Terminal {
  /** True only when the stream is a terminal (Node's tty.WriteStream sets it). */
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * The secret is shown once on an interactive terminal. When stdout is a pipe or a file (a service manager's
 * journal, `docker logs`, a CI log) it is written nowhere but the credentials file (mode 600), since such
 * outputs are kept and read by others; the log says where to find it.
 */
export function announceGeneratedRoot(out: Terminal, log: Logger, root: { accessKey: string; secretKey: string; file: string }): void {
  if (out.isTTY === true) {
    out.write(`Generated root credentials (shown once; kept in ${root.file}):\n  access key: ${root.accessKey}\n  secret key: ${root.secretKey}\n`);
    return;
  }
  log.warn(
    { file: root.file, accessKey: root.accessKey },
    'generated root credentials: the secret key is not printed because stdout is not a terminal; read it from the credentials file (mode 600)',
  );
}
