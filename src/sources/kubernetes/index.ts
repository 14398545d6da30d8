/** Readers for Kubernetes manifests. */

import type { Reader } from '../reader.js';
import { kubernetesManifestReader } from './manifest-reader.js';

export { kubernetesManifestReader } from './manifest-reader.js';

export const kubernetesReaders: Reader[] = [kubernetesManifestReader];
