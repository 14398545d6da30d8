// Copies the data files that sit beside the code (benchmark rules, controls, standards, built-in
// detections, Sigma field mappings and log-source tables) into dist/, so `dist/` runs alone.
import { cpSync } from 'node:fs';

// src/web is built by Vite into dist/console; its sources are not copied.
cpSync('src', 'dist', {
  recursive: true,
  filter: (p) => !/\.tsx?$/.test(p) && !/(^|\/)src\/web(\/|$)/.test(p),
});
