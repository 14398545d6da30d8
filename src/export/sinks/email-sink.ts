/**
 * Email sink: one message per record over SMTP (nodemailer), with a plain-text and an HTML part
 * carrying the card facts and the console link. The Message-ID derives from the record's
 * idempotency key, so a redelivered record threads onto (and mail tools can drop) the first copy.
 * SMTP 4xx answers and connection failures are retried; 5xx answers are final.
 */

import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import nodemailer, { type Transporter } from 'nodemailer';
import { SinkError, type ExportRecord, type Sink } from '../../model/export-record.js';
import type { AddressGuard } from '../ssrf-guard.js';
import { cardContent } from './chat-card.js';
import { resolveDestination } from './resolve-destination.js';
import type { EmailSinkConfig } from './sink-config.js';

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Subject, text and HTML for one record. */
export function emailContent(
  record: ExportRecord,
  consoleUrl: string,
): { subject: string; text: string; html: string; messageId: string } {
  const card = cardContent(record, consoleUrl);
  const subject = `[Palisade] ${card.severity.toUpperCase()}: ${card.title}`.replace(
    /[\r\n]+/g,
    ' ',
  );
  const lines = card.facts.map(([label, value]) => `${label}: ${value.replace(/\n/g, '\n  ')}`);
  const text = [
    card.title,
    '',
    ...lines,
    ...(card.description ? ['', card.description] : []),
    ...(consoleUrl ? ['', `Open in Palisade: ${card.link}`] : []),
  ].join('\n');
  const rows = card.facts
    .map(
      ([label, value]) =>
        `<tr><th align="left" valign="top">${escapeHtml(label)}</th>` +
        `<td>${escapeHtml(value).replace(/\n/g, '<br>')}</td></tr>`,
    )
    .join('');
  const html =
    `<h2>${escapeHtml(card.title)}</h2><table>${rows}</table>` +
    (card.description ? `<p>${escapeHtml(card.description)}</p>` : '') +
    (consoleUrl ? `<p><a href="${escapeHtml(card.link)}">Open in Palisade</a></p>` : '');
  const hash = createHash('sha256').update(record.id).digest('hex').slice(0, 32);
  return { subject, text, html, messageId: `<${hash}@palisade.export>` };
}

/** OpenSSL's answer when the peer sends something other than a TLS record (plain SMTP text). */
function isPlainTextPeer(error: Error & { originalCode?: string }): boolean {
  return (
    error.originalCode === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    /wrong version number/i.test(error.message)
  );
}

/** Why TLS failed against a server that answered in plain text, and what to set instead. */
function plainTextPeerMessage(config: EmailSinkConfig, port: number): string {
  const where = `${config.host}:${port}`;
  if (config.secure) {
    return (
      `SMTP: the server at ${where} does not speak TLS from the first byte (secure: true); ` +
      'set secure: false to use STARTTLS (usually port 587), ' +
      "or set port to the server's TLS port (usually 465)"
    );
  }
  return (
    `SMTP: the server at ${where} offered STARTTLS but did not speak TLS after it; ` +
    'check that host and port name the mail server itself, not a proxy'
  );
}

/**
 * The hint for a server that never greeted: one that speaks TLS from the first byte (port 465)
 * waits for a TLS handshake while a plain client waits for its greeting.
 */
function greetingHint(config: EmailSinkConfig, port: number): string {
  if (config.secure) return '';
  return (
    ` (no SMTP greeting from ${config.host}:${port}; if the server speaks TLS from the first ` +
    'byte there, as on port 465, set secure: true)'
  );
}

/** An SMTP or connection failure as a sink failure. */
function smtpError(error: unknown, config: EmailSinkConfig, port: number): SinkError {
  if (error instanceof SinkError) return error;
  const err = error as Error & {
    responseCode?: number;
    code?: string;
    originalCode?: string;
    timeoutType?: string;
  };
  if (isPlainTextPeer(err)) {
    return new SinkError('tls', plainTextPeerMessage(config, port), false);
  }
  if (err.code === 'EAUTH' || err.responseCode === 535) {
    return new SinkError(
      'unauthorized',
      `SMTP: ${err.message} (check the sink's credentials)`,
      false,
    );
  }
  if (err.code === 'ETLS' || /STARTTLS/i.test(err.message)) {
    return new SinkError(
      'tls',
      `SMTP: ${err.message} (credentials are sent over TLS only; set requireTls: false to allow plain text)`,
      false,
    );
  }
  if (err.responseCode !== undefined && err.responseCode >= 500) {
    return new SinkError(`smtp_${err.responseCode}`, `SMTP: ${err.message}`, false);
  }
  const code = err.responseCode ? `smtp_${err.responseCode}` : (err.code ?? 'smtp');
  const hint = err.timeoutType === 'GREETING_TIMEOUT' ? greetingHint(config, port) : '';
  return new SinkError(code, `SMTP: ${err.message}${hint}`, true);
}

/** The configured port, or the standard one: 465 for TLS from the first byte, 587 otherwise. */
function smtpPort(config: EmailSinkConfig): number {
  return config.port ?? (config.secure ? 465 : 587);
}

class EmailSink implements Sink {
  readonly kind = 'email';
  readonly #config: EmailSinkConfig;
  readonly #guard: AddressGuard;
  #transport?: Transporter;

  constructor(config: EmailSinkConfig, guard: AddressGuard) {
    this.#config = config;
    this.#guard = guard;
  }

  async send(records: readonly ExportRecord[]): Promise<void> {
    if (records.length === 0) return;
    const transport = await this.#open();
    const consoleUrl = this.#config.consoleUrl ?? '';
    for (const record of records) {
      const content = emailContent(record, consoleUrl);
      try {
        await transport.sendMail({
          from: this.#config.from,
          to: this.#config.to,
          subject: content.subject,
          text: content.text,
          html: content.html,
          messageId: content.messageId,
          headers: { 'X-Palisade-Record-Id': record.id, 'X-Palisade-Type': record.type },
        });
      } catch (error) {
        // A broken connection is rebuilt on the next send.
        this.#transport?.close();
        this.#transport = undefined;
        throw smtpError(error, this.#config, smtpPort(this.#config));
      }
    }
  }

  async close(): Promise<void> {
    this.#transport?.close();
    this.#transport = undefined;
  }

  async #open(): Promise<Transporter> {
    if (this.#transport) return this.#transport;
    const config = this.#config;
    const { address } = await resolveDestination(this.#guard, config.host);
    const timeout = config.timeoutMs ?? 15_000;
    this.#transport = nodemailer.createTransport({
      // Connect to the checked address; TLS still verifies the configured host name.
      host: address,
      port: smtpPort(config),
      secure: config.secure ?? false,
      // A password goes over TLS only, unless the configuration says plain text is acceptable.
      requireTLS: config.requireTls ?? Boolean(config.user),
      ...(config.user ? { auth: { user: config.user, pass: config.pass ?? '' } } : {}),
      tls: {
        ...(isIP(config.host) ? {} : { servername: config.host }),
        ...(config.ca ? { ca: config.ca } : {}),
      },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      // Longer than the greeting's: a server that never greets (one speaking TLS from the first
      // byte) must fail as a greeting timeout, which names the fix, not as a bare socket one.
      socketTimeout: timeout * 2,
    });
    return this.#transport;
  }
}

/** An SMTP email sink. */
export function createEmailSink(config: EmailSinkConfig, guard: AddressGuard): Sink {
  return new EmailSink(config, guard);
}
