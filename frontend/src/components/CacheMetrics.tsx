import type { CacheStats } from '../api'
import { useCacheStats } from '../hooks/useCacheStats'
import { Panel } from './Panel'

const ms = (value: number | null) => (value === null || value === undefined ? '—' : `${value.toFixed(1)} ms`)

function Metrics({ stats }: { stats: CacheStats }) {
  const ratio = stats.hit_ratio
  return (
    <div className="cache">
      <div className="cache-ratio">
        <div className="stat-label">Hit ratio</div>
        {/* The ratio itself (0 to 1), as the API gives it, for tests and scripts; the bar shows it as a share. */}
        <div className="stat-value" data-testid="cache-hit-ratio">
          {ratio === null || ratio === undefined ? '—' : Number(ratio.toFixed(3))}
        </div>
        <div className="progress">
          <div className="progress-bar" style={{ width: `${(ratio ?? 0) * 100}%` }} />
        </div>
      </div>
      <dl className="cache-grid">
        <dt>Backend</dt>
        <dd>
          {stats.backend}{' '}
          <span className={`badge ${stats.available ? 'badge-completed' : 'badge-failed'}`}>
            {stats.available ? 'available' : 'unavailable'}
          </span>
        </dd>
        <dt>Hits / misses</dt>
        <dd>
          <span data-testid="cache-hits">{stats.hits}</span> / <span data-testid="cache-misses">{stats.misses}</span>
        </dd>
        <dt>Errors</dt>
        <dd>{stats.errors}</dd>
        <dt>Latency avg · p50</dt>
        <dd>
          {ms(stats.latency_ms.avg)} · {ms(stats.latency_ms.p50)}
        </dd>
        <dt>Latency p95 · max</dt>
        <dd>
          {ms(stats.latency_ms.p95)} · {ms(stats.latency_ms.max)}
        </dd>
      </dl>
    </div>
  )
}

/** The cache metrics, pushed by the live stream every 2 s (polled while it is not live). */
export function CacheMetrics() {
  return (
    <Panel title="Cache" query={useCacheStats()}>
      {(stats) => <Metrics stats={stats} />}
    </Panel>
  )
}
