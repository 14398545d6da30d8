/**
 * What Palisade's TLS listeners (the API server, the admission webhook) accept: TLS 1.2 and up,
 * and under TLS 1.2 only suites with forward secrecy and an AEAD cipher (Mozilla's
 * "intermediate" list). Node's default list also takes CBC suites with SHA-1 MACs and static RSA
 * key exchange, which a scan of the endpoint flags and a recorded session gives up to the key's
 * later theft. TLS 1.3's suites are all of that kind and stay Node's.
 */

import type { SecureContextOptions } from 'node:tls';

const TLS12_SUITES = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];

const TLS13_SUITES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
];

export const TLS_POLICY: Pick<SecureContextOptions, 'minVersion' | 'ciphers'> = {
  minVersion: 'TLSv1.2',
  ciphers: [...TLS13_SUITES, ...TLS12_SUITES].join(':'),
};
