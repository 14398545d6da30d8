/** The server's structured JSON log (pino). Credentials are redacted before a line is written. */

import { pino, type Logger, type DestinationStream } from 'pino';
import type { ServerConfig } from './config.js';

/** Paths that may carry secrets; pino replaces their values with `[redacted]`. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
];

/** A pino logger at the configured level, writing JSON lines to `destination` (stdout). */
export function createLogger(config: ServerConfig, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.log.level,
      base: { service: 'palisade' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
