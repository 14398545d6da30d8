/**
 * Certificates for the webhook: a private CA (its certificate becomes the caBundle the API server
 * trusts) and a serving certificate it signs for `<service>.<namespace>.svc`; and, signed by that
 * CA, the client certificate the API server presents when the webhook authenticates its callers
 * (`tls.clientCA`). Keys are written readable by the owner only (0600).
 */

// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect polyfill first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { chmod, open, readFile, unlink } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { makeFolders } from '../../store/make-folders.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface CertificateRequest {
  /** Folder the four files are written to. */
  dir: string;
  service: string;
  namespace: string;
  /** Extra DNS names or IP addresses for the serving certificate (`127.0.0.1` in tests). */
  extraNames?: string[];
  /** Validity of the serving certificate; the CA lives twice as long. */
  days?: number;
  /** Replace files that exist. */
  force?: boolean;
  now?: Date;
}

/** The files written. */
export interface CertificateFiles {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  /** Names the serving certificate is valid for. */
  names: string[];
}

/** Files that exist when `force` is off, or names that are not DNS names or addresses. */
export class CertificateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateError';
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The DNS names the API server may use for the service, most specific last. */
export function serviceNames(service: string, namespace: string): string[] {
  for (const [field, value] of [
    ['service', service],
    ['namespace', namespace],
  ]) {
    if (!DNS_LABEL.test(value)) {
      throw new CertificateError(`${field} "${value}" is not a DNS label (a-z, 0-9, -; 1-63)`);
    }
  }
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
  ];
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

/** The private key of a PKCS#8 PEM file, as `pkcs8Pem` writes it. */
async function importPkcs8(pem: string): Promise<CryptoKey> {
  const base64 = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  return (await webcrypto.subtle.importKey(
    'pkcs8',
    Buffer.from(base64, 'base64'),
    KEY_ALGORITHM,
    false,
    ['sign'],
  )) as unknown as CryptoKey;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, [
    'sign',
    'verify',
  ])) as unknown as CryptoKeyPair;
}

/** Writes `text` to a new file with `mode`; replaces an existing one only when `force`. */
async function writeNew(path: string, text: string, mode: number, force: boolean): Promise<void> {
  if (force) await unlink(path).catch(() => undefined);
  let handle;
  try {
    handle = await open(path, 'wx', mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CertificateError(`${path} exists; pass --force to replace it`);
    }
    throw error;
  }
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  // The umask may have narrowed or the file system widened the mode; set it exactly.
  await chmod(path, mode);
}

/**
 * Creates the CA and the serving certificate in `request.dir`: `ca.crt`, `ca.key`, `tls.crt`,
 * `tls.key`.
 *
 * ```ts
 * await createWebhookCertificates({ dir: 'certs', service: 'palisade-admission', namespace: 'palisade' });
 * ```
 */
export async function createWebhookCertificates(
  request: CertificateRequest,
): Promise<CertificateFiles> {
  const names = [
    ...serviceNames(request.service, request.namespace),
    ...(request.extraNames ?? []),
  ];
  const days = request.days ?? 365;
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new CertificateError(`days ${days} is not a whole number from 1 to 3650`);
  }
  const now = request.now ?? new Date();
  const notBefore = new Date(now.getTime() - 5 * 60_000);

  const caKeys = await generateKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=palisade admission CA (${request.namespace})`,
    notBefore,
    notAfter: new Date(now.getTime() + 2 * days * DAY_MS),
    keys: caKeys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${names[2]}`,
    issuer: ca.subject,
    notBefore,
    notAfter: new Date(now.getTime() + days * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  makeFolders(request.dir);
  const files: CertificateFiles = {
    caCert: join(request.dir, 'ca.crt'),
    caKey: join(request.dir, 'ca.key'),
    cert: join(request.dir, 'tls.crt'),
    key: join(request.dir, 'tls.key'),
    names,
  };
  const force = request.force ?? false;
  await writeNew(files.caKey, await pkcs8Pem(caKeys.privateKey), 0o600, force);
  await writeNew(files.key, await pkcs8Pem(keys.privateKey), 0o600, force);
  await writeNew(files.caCert, `${ca.toString('pem')}\n`, 0o644, force);
  await writeNew(files.cert, `${cert.toString('pem')}\n`, 0o644, force);
  return files;
}

/** A CA file read and parsed; one that is missing or malformed is a `CertificateError`. */
async function readSigning<T>(path: string, parse: (pem: string) => T | Promise<T>): Promise<T> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    throw new CertificateError(
      `${path}: cannot read: ${(error as Error).message}; create the CA first with \`palisade admission certs\``,
    );
  }
  try {
    return await parse(pem);
  } catch (error) {
    throw new CertificateError(
      `${path}: not a PEM file written by \`palisade admission certs\`: ${(error as Error).message}`,
    );
  }
}

export interface ClientCertificateRequest {
  /** Folder the two files are written to. */
  dir: string;
  /** The CA certificate and key that sign it (`ca.crt`, `ca.key` of `createWebhookCertificates`). */
  caCert: string;
  caKey: string;
  /** Subject common name, which `tls.clientNames` may require (`kube-apiserver`). */
  commonName: string;
  /** File names without extension; `client` by default. */
  name?: string;
  days?: number;
  force?: boolean;
  now?: Date;
}

/**
 * Signs a client certificate (extended key usage clientAuth) with an existing CA and writes
 * `<name>.crt` and `<name>.key` to `request.dir`: the certificate the API server presents to a
 * webhook whose `tls.clientCA` is that CA.
 *
 * ```ts
 * await createClientCertificate({ dir: 'certs', caCert: 'certs/ca.crt', caKey: 'certs/ca.key',
 *   commonName: 'kube-apiserver' });
 * ```
 */
export async function createClientCertificate(
  request: ClientCertificateRequest,
): Promise<{ cert: string; key: string }> {
  const days = request.days ?? 365;
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new CertificateError(`days ${days} is not a whole number from 1 to 3650`);
  }
  if (!/^[\x20-\x7e]{1,64}$/.test(request.commonName) || /[,=+<>#;"\\]/.test(request.commonName)) {
    throw new CertificateError(
      `common name "${request.commonName}" must be 1-64 printable characters without , = + < > # ; " \\`,
    );
  }
  const ca = await readSigning(request.caCert, (pem) => new x509.X509Certificate(pem));
  const caKey = await readSigning(request.caKey, importPkcs8);
  const now = request.now ?? new Date();

  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${request.commonName}`,
    issuer: ca.subject,
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter: new Date(now.getTime() + days * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
    ],
  });

  makeFolders(request.dir);
  const name = request.name ?? 'client';
  const files = { cert: join(request.dir, `${name}.crt`), key: join(request.dir, `${name}.key`) };
  const force = request.force ?? false;
  await writeNew(files.key, await pkcs8Pem(keys.privateKey), 0o600, force);
  await writeNew(files.cert, `${cert.toString('pem')}\n`, 0o644, force);
  return files;
}
