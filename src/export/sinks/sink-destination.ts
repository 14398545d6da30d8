/**
 * Where a sink delivers, in one line an audit entry can keep: the URL without its query string
 * or credentials, or `host:port`, or the NATS servers. Never a secret: a Slack or Teams webhook
 * URL is the credential itself, so only its origin is named.
 */

/** Default syslog ports: 514 for UDP and TCP, 6514 for TLS (RFC 5425). */
function syslogPort(transport: unknown): number {
  return transport === 'tls' ? 6514 : 514;
}

/** Default SMTP port: 465 for TLS from the first byte, 587 for STARTTLS. */
function smtpPort(secure: unknown): number {
  return secure === true ? 465 : 587;
}

/** `url` without query string, fragment or credentials; only the origin when `originOnly`. */
function safeUrl(url: unknown, originOnly: boolean): string {
  if (typeof url !== 'string') return 'unknown';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'unknown';
  }
  if (originOnly) return parsed.origin;
  if (parsed.username || parsed.password) return `${parsed.origin}${parsed.pathname}`;
  // As given otherwise, so the entry shows the URL the user wrote (a trailing slash included).
  return url.split(/[?#]/, 1)[0];
}

function hostPort(host: unknown, port: unknown, defaultPort: number): string {
  if (typeof host !== 'string') return 'unknown';
  const shown = host.includes(':') ? `[${host}]` : host;
  return `${shown}:${typeof port === 'number' ? port : defaultPort}`;
}

/**
 * The destination of a sink configuration (checked or as stored, with or without its secrets),
 * or `unknown` when the configuration does not say.
 *
 * ```ts
 * sinkDestination({ kind: 'webhook', url: 'https://siem.example.com/in?key=1', secret: '...' });
 * // 'https://siem.example.com/in'
 * sinkDestination({ kind: 'syslog', transport: 'tls', host: 'siem.example.com' });
 * // 'siem.example.com:6514'
 * ```
 */
export function sinkDestination(config: Record<string, unknown>): string {
  switch (config.kind) {
    case 'syslog':
      return hostPort(config.host, config.port, syslogPort(config.transport));
    case 'email':
      return hostPort(config.host, config.port, smtpPort(config.secure));
    case 'nats':
      return Array.isArray(config.servers) ? config.servers.map(String).join(', ') : 'unknown';
    case 'webhook':
    case 'splunk-hec':
      return safeUrl(config.url, false);
    case 'slack':
    case 'teams':
      return safeUrl(config.url, true);
    case 'servicenow':
      return safeUrl(config.instanceUrl, false);
    case 'jira':
      return safeUrl(config.baseUrl, false);
    default:
      return 'unknown';
  }
}
