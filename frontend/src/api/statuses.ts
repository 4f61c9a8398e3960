// The status sets of the API, named once for the whole dashboard (types, filters, stats cards).
// Checked against the OpenAPI snapshot (openapi.json) by statuses.test.ts: when the backend adds a
// status, regenerating the snapshot makes that test fail until this list follows.

/** A message's `status`, in the order the pipeline moves through them. */
export const MESSAGE_STATUSES = ['pending', 'sent', 'delivered', 'read', 'failed', 'no_interaction'] as const

/** A campaign's `status`. */
export const CAMPAIGN_STATUSES = ['draft', 'running', 'paused', 'completed'] as const

export type MessageStatus = (typeof MESSAGE_STATUSES)[number]
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number]
