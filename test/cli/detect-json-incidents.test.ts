/**
 * `palisade detect --format json` names an incident's fields as the API does: the same incident
 * read from the CLI's report and from the store through the API's view are one and the same
 * object, its alerts under `alertIds` in both.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IncidentSchema, incidentView } from '../../src/server/routes/alerts-schemas.js';
import { openStore } from '../../src/store/database.js';
import { runPalisade } from '../support/cli.js';
import { shared } from '../support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'palisade-detect-json-'));

describe('palisade detect --format json', () => {
  it("lists an incident's alerts as alertIds, field for field as GET /incidents answers", async () => {
    const db = join(work, 'json.db');
    const openssh = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
    const run = runPalisade(['detect', openssh, '--year', '2025', '--db', db, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { incidents: { id: string }[] };
    expect(report.incidents.length).toBeGreaterThan(0);
    for (const incident of report.incidents) {
      expect(Object.keys(incident)).toEqual(Object.keys(IncidentSchema.properties));
      expect(incident).not.toHaveProperty('alerts');
    }

    const store = await openStore(db);
    try {
      const rows = await store.selectFrom('incidents').selectAll().execute();
      const api = rows.map(incidentView);
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      expect([...report.incidents].sort(byId)).toEqual(api.sort(byId));
    } finally {
      await store.destroy();
    }
  });
});
