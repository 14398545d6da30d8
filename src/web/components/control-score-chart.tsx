/**
 * The secure score per control as a bar chart: one row a control, its bar as long as the share
 * of its points it holds, with the points and the percentage written beside it so the numbers
 * read without the bar.
 */

import type { ControlScore } from '../api/types';

/** The percentage of its points a control holds; null for a control nothing was judged in. */
export function controlPercentage(control: ControlScore): number | null {
  if (control.healthy + control.unhealthy === 0 || control.maxScore <= 0) return null;
  return (100 * control.currentScore) / control.maxScore;
}

/** The tone of a share of points, as the score gauge colours the whole score. */
function tone(percentage: number): string {
  return percentage >= 80 ? 'good' : percentage >= 50 ? 'fair' : 'poor';
}

/**
 * Bars for the controls the assessments judged, in the API's order; those nothing was judged in
 * carry no score and are only counted.
 */
export function ControlScoreChart({ controls }: { controls: ControlScore[] }) {
  const judged = controls.filter((c) => controlPercentage(c) !== null);
  const unjudged = controls.length - judged.length;
  return (
    <figure className="chart">
      <figcaption id="control-scores-title">Secure score by control</figcaption>
      {judged.length === 0 ? (
        <p className="muted">No control assessed yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="control-scores" aria-labelledby="control-scores-title">
            <thead>
              <tr>
                <th scope="col">Control</th>
                <th scope="col">Share of its points</th>
                <th scope="col">Points</th>
              </tr>
            </thead>
            <tbody>
              {judged.map((c) => {
                const percentage = controlPercentage(c)!;
                // The bar's length is SVG geometry, not a style attribute: the console's CSP
                // (style-src 'self') allows no inline styles.
                return (
                  <tr key={c.id} data-control={c.id}>
                    <th scope="row">
                      <span className="mono">{c.id}</span> {c.title}
                    </th>
                    <td>
                      <span className="bar-cell">
                        <svg
                          className="bar"
                          viewBox="0 0 100 10"
                          preserveAspectRatio="none"
                          aria-hidden="true"
                        >
                          <rect className="bar-track" width="100" height="10" />
                          <rect
                            className={`bar-value bar-${tone(percentage)}`}
                            data-testid="control-bar"
                            width={percentage.toFixed(2)}
                            height="10"
                          />
                        </svg>
                        <span data-testid="control-percentage">{percentage.toFixed(1)}%</span>
                      </span>
                    </td>
                    <td data-testid="control-points">
                      {c.currentScore} of {c.maxScore}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {unjudged > 0 && (
        <p className="muted small">
          {unjudged === 1 ? '1 control' : `${unjudged} controls`} with nothing judged (no score).
        </p>
      )}
    </figure>
  );
}
