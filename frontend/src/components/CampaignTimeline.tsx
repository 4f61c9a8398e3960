import { useMemo } from 'react'
import type { TimelineBucket, TimelinePoint } from '../api'
import { TimeChart } from '../charts/TimeChart'
import { toColumns, type SeriesSpec } from '../charts/series'
import { useCampaignTimeline } from '../hooks/useCampaigns'
import { Panel } from './Panel'

type Series = Exclude<keyof TimelinePoint, 'at'>

const TIMELINE_SERIES: Array<SeriesSpec<Series>> = [
  { key: 'sent', label: 'Sent', color: '#2563eb' },
  { key: 'delivered', label: 'Delivered', color: '#0891b2' },
  { key: 'read', label: 'Read', color: '#16a34a' },
  { key: 'interactions', label: 'Answers', color: '#9333ea' },
  { key: 'failed', label: 'Failed', color: '#dc2626' },
]

/** A bucket's start in UTC: "05-01 10:00" for hours, "05-01" for days. */
const FORMAT: Record<TimelineBucket, (seconds: number) => string> = {
  hour: (seconds) => new Date(seconds * 1000).toISOString().slice(5, 16).replace('T', ' '),
  day: (seconds) => new Date(seconds * 1000).toISOString().slice(5, 10),
}

function TimelineChart({ items, bucket }: { items: TimelinePoint[]; bucket: TimelineBucket }) {
  const columns = useMemo(() => toColumns(items, (point) => point.at, TIMELINE_SERIES), [items])
  if (items.length === 0) return <p className="empty">Nothing sent yet.</p>
  return (
    <TimeChart
      label={`Campaign timeline by ${bucket} (UTC)`}
      testId="campaign-timeline"
      columns={columns}
      series={TIMELINE_SERIES}
      formatX={FORMAT[bucket]}
    />
  )
}

/** Sends, deliveries, reads and answers of a campaign's first messages over time. */
export function CampaignTimeline({ campaignId }: { campaignId: number }) {
  const { query, bucket, setBucket } = useCampaignTimeline(campaignId)
  const toggle = (
    <div className="segmented" role="group" aria-label="Bucket">
      {(['hour', 'day'] as const).map((option) => (
        <button
          key={option}
          type="button"
          className={option === bucket ? 'is-active' : undefined}
          aria-pressed={option === bucket}
          onClick={() => setBucket(option)}
        >
          {option === 'hour' ? 'Hourly' : 'Daily'}
        </button>
      ))}
    </div>
  )
  return (
    <Panel title="Timeline (UTC)" query={query} actions={toggle}>
      {({ items }) => <TimelineChart items={items} bucket={bucket} />}
    </Panel>
  )
}
