// Copies the benchmark's YAML data (rules, controls, standards) next to the compiled code, so
// `dist/` runs without `src/`.
import { cpSync } from 'node:fs';

cpSync('src/benchmark', 'dist/benchmark', { recursive: true, filter: (p) => !p.endsWith('.ts') });
