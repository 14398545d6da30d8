/** Incidents: alerts that share entities, ordered along the ATT&CK kill chain. */

import { query } from '../api/client';
import { useApi } from '../api/use-api';
import type { Incident, Page } from '../api/types';
import { SeverityBadge, Show, When, words } from '../components/status';
import { href } from '../router';
import { counted } from '../../report/counted.js';

export function IncidentsPage() {
  const list = useApi<Page<Incident>>('/incidents' + query({ limit: 100 }));
  return (
    <>
      <h1 tabIndex={-1}>Incidents</h1>
      <Show loaded={list}>
        {(page) => (
          <table>
            <caption>{counted(page.items.length, 'incident')}</caption>
            <thead>
              <tr>
                <th scope="col">Incident</th>
                <th scope="col">Severity</th>
                <th scope="col">Status</th>
                <th scope="col">Kill chain</th>
                <th scope="col">Alerts</th>
                <th scope="col">Entities</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((incident) => (
                <tr key={incident.id}>
                  <td>
                    <a href={href('incidents', incident.id)}>{incident.title}</a>
                  </td>
                  <td>
                    <SeverityBadge severity={incident.severity} />
                  </td>
                  <td>{words(incident.status)}</td>
                  <td>{incident.tactics.join(' → ')}</td>
                  <td>{incident.alertIds.length}</td>
                  <td className="mono small">
                    {incident.entities.map((e) => `${e.kind}: ${e.value}`).join(', ')}
                  </td>
                  <td>
                    <When at={incident.lastSeen} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </>
  );
}
