/** The secure score as a half-circle gauge with the percentage written in its middle. */

const RADIUS = 80;
const LENGTH = Math.PI * RADIUS;

/** Gauge for a score in percent (0..100). */
export function ScoreGauge({ score }: { score: number }) {
  const clamped = Math.max(0, Math.min(100, score));
  const tone = clamped >= 80 ? 'good' : clamped >= 50 ? 'fair' : 'poor';
  return (
    <figure className="gauge" aria-label={`Secure score ${formatScore(score)} percent`}>
      <svg viewBox="0 0 200 115" role="img" aria-hidden="true">
        <path className="gauge-track" d="M 20 100 A 80 80 0 0 1 180 100" />
        <path
          className={`gauge-value gauge-${tone}`}
          d="M 20 100 A 80 80 0 0 1 180 100"
          strokeDasharray={`${(LENGTH * clamped) / 100} ${LENGTH}`}
        />
      </svg>
      <figcaption>
        <span className="gauge-number" data-testid="secure-score">
          {formatScore(score)}
        </span>
        <span className="gauge-unit">%</span>
      </figcaption>
    </figure>
  );
}

/** One decimal, as the API's score is a percentage with fractions. */
export function formatScore(score: number): string {
  return score.toFixed(1);
}
