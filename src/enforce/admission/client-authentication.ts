/**
 * Who may post reviews: with `tls.clientCA` set, only a caller presenting a client certificate
 * that CA signed (the API server, through its AdmissionConfiguration kubeconfig), and, with
 * `tls.clientNames`, only one whose certificate names one of them.
 */

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { AdmissionConfigError } from './admission-config.js';

/** The CA bundle client certificates are verified against, and the names accepted. */
export interface ClientAuthentication {
  ca: Buffer;
  /** Subject common names accepted; absent, any certificate the CA signed. */
  names?: readonly string[];
}

/** Why a caller is refused: the HTTP status and a message that says what to fix. */
export interface CallerRefusal {
  status: 401 | 403;
  code: 'CLIENT_CERTIFICATE_REQUIRED' | 'CLIENT_CERTIFICATE_REFUSED';
  message: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The CA bundle of `tls.clientCA`, checked at start-up: readable, one or more PEM certificates,
 * each a CA. Throws `AdmissionConfigError` naming the file and the key otherwise, so a webhook
 * never starts trusting nothing (or, from a serving certificate put there by mistake, the wrong
 * thing).
 *
 * ```ts
 * const ca = readClientCA('certs/ca.crt');
 * ```
 */
export function readClientCA(file: string): Buffer {
  const fail = (message: string): never => {
    throw new AdmissionConfigError({ file, key: 'tls.clientCA', message });
  };
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    fail(`cannot read: ${(error as Error).message}`);
  }
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    fail(
      'holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the CA that signs the API server client certificate',
    );
  }
  blocks.forEach((block, index) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(block);
    } catch (error) {
      return fail(`certificate ${index + 1} cannot be read: ${(error as Error).message}`);
    }
    if (!cert.ca) {
      fail(
        `certificate ${index + 1} (${cert.subject.replace(/\n/g, ', ')}) is not a CA ` +
          '(basicConstraints CA:FALSE); give the CA that signed the client certificate, not the certificate itself',
      );
    }
  });
  return Buffer.from(text);
}

/** The subject common name of the caller's certificate, or undefined when it names none. */
function commonName(socket: TLSSocket): string | undefined {
  const cn = socket.getPeerCertificate().subject?.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}

/**
 * Why the caller on `socket` may not post reviews, or undefined when it may. The TLS layer has
 * already checked any certificate the caller sent against the CA; this reads its verdict.
 */
export function callerRefusal(
  socket: TLSSocket,
  auth: ClientAuthentication,
): CallerRefusal | undefined {
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) {
    return {
      status: 401,
      code: 'CLIENT_CERTIFICATE_REQUIRED',
      message: 'present a client certificate signed by the CA in tls.clientCA',
    };
  }
  if (!socket.authorized) {
    return {
      status: 401,
      code: 'CLIENT_CERTIFICATE_REFUSED',
      message: `the client certificate is not trusted (${String(socket.authorizationError)}); it must be signed by the CA in tls.clientCA`,
    };
  }
  const name = commonName(socket);
  if (auth.names && !(name !== undefined && auth.names.includes(name))) {
    return {
      status: 403,
      code: 'CLIENT_CERTIFICATE_REFUSED',
      message: `the client certificate CN=${name ?? '(none)'} is not among tls.clientNames`,
    };
  }
  return undefined;
}
