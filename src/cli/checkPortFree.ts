import { createServer } from 'node:net';
import { CliError, EXIT } from './cliError.js';

/** The message of a port that cannot be listened on. */
export function portError(port: number, e: unknown): CliError {
  const code = (e as { code?: string } | null)?.code;
  return new CliError(
    `--serve ${port}: cannot listen on 127.0.0.1:${port} (${code === 'EADDRINUSE' ? 'port in use' : (code ?? String(e))})`,
    EXIT.failure,
  );
}

/** Resolves when `port` can be bound on 127.0.0.1 (and frees it again); a runtime failure (exit 1) otherwise. */
export function checkPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e) => reject(portError(port, e)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}
