// The logger the vendor SDKs get: ours, on stderr (their default console logger may write to stdout, which MCP owns).
import { silentLogger, type Logger } from '../util/logger.js';

type Log = (message: string, ...rest: unknown[]) => void;

export interface SdkLogger {
  debug: Log;
  info: Log;
  warn: Log;
  error: Log;
}

export function sdkLogger(log: Logger = silentLogger): SdkLogger {
  // SDK log lines can carry request details; only the message goes through, never the extra arguments.
  return {
    debug: (message) => log.debug(String(message)),
    info: (message) => log.info(String(message)),
    warn: (message) => log.warn(String(message)),
    error: (message) => log.error(String(message)),
  };
}
