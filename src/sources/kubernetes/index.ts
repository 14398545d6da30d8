/** Readers for Kubernetes manifests. */

import type { Reader } from '../reader.js';

export const kubernetesReaders: Reader[] = [];
