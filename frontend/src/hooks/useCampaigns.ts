import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import {
  audienceQuery,
  campaignAction,
  campaignHistoryQuery,
  campaignKeys,
  campaignQuery,
  campaignsQuery,
  campaignTimelineQuery,
  createCampaign,
  deleteCampaign,
  targetsOf,
  updateCampaign,
} from '../api'
import type { ApiEvent, Campaign, CampaignStatus, NewCampaign, TimelineBucket } from '../api'
import { cancelAndSnapshot, invalidateTargets, rollback } from './optimistic'

export function useCampaigns() {
  return useQuery(campaignsQuery())
}

export function useCampaign(id: number) {
  return useQuery(campaignQuery(id))
}

/** Who did what to the campaign (its writes' audit rows), oldest first. */
export function useCampaignHistory(id: number) {
  return useQuery(campaignHistoryQuery(id))
}

/** The campaign's timeline in hourly or daily buckets; the previous one stays while the other loads. */
export function useCampaignTimeline(id: number) {
  const [bucket, setBucket] = useState<TimelineBucket>('hour')
  return { query: useQuery(campaignTimelineQuery(id, bucket)), bucket, setBucket }
}

/** How many contacts a launch to these categories would queue now, and the opted-out ones left out. */
export function useAudience(categoryIds: number[]) {
  return useQuery(audienceQuery(categoryIds))
}

// What each write refreshes is the events map's answer (api/events.ts) for the event the server will emit.
const savedTargets = (id?: number) =>
  targetsOf([id === undefined ? { name: 'campaign.created', params: { campaign_id: [] } } : { name: 'campaign.updated', params: { campaign_id: [id] } }])

/** Saves a draft: POST for a new one, PATCH for the one being edited. */
export function useSaveCampaign(id?: number) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: NewCampaign) => (id === undefined ? createCampaign(body) : updateCampaign(id, body)),
    onSuccess: (campaign) => client.setQueryData(campaignKeys.detail(campaign.id), campaign),
    onSettled: () => invalidateTargets(client, savedTargets(id)),
  })
}

/** Deletes a draft; its detail leaves the cache (nothing is left to show). */
export function useDeleteCampaign() {
  const client = useQueryClient()
  const targets = (id: number) => targetsOf([{ name: 'campaign.deleted', params: { campaign_id: [id] } }])
  return useMutation({
    mutationFn: (id: number) => deleteCampaign(id),
    onSuccess: (_data, id) => client.removeQueries({ queryKey: campaignKeys.detail(id) }),
    onSettled: (_data, _error, id) => invalidateTargets(client, targets(id)),
  })
}

type Action = 'launch' | 'pause' | 'resume'

const ACTION_EVENT: Record<Action, ApiEvent['name']> = {
  launch: 'campaign.launched',
  pause: 'campaign.paused',
  resume: 'campaign.resumed',
}

/**
 * The status pause and resume move the campaign to, shown before the server answers. Not a launch: the composer
 * shows a draft only, and would drop the launch's confirmation (and its navigation) the moment it said running.
 */
const ACTION_STATUS: Partial<Record<Action, CampaignStatus>> = { pause: 'paused', resume: 'running' }

/** Launches, pauses or resumes a campaign; a pause or resume shows at once and goes back if the server refuses. */
export function useCampaignAction(id: number) {
  const client = useQueryClient()
  const targets = (action: Action) =>
    targetsOf([{ name: ACTION_EVENT[action], params: { campaign_id: [id] } } as ApiEvent])
  return useMutation({
    mutationFn: (action: Action) => campaignAction(id, action),
    onMutate: async (action: Action) => {
      const snapshot = await cancelAndSnapshot(client, targets(action))
      const status = ACTION_STATUS[action]
      if (status) client.setQueryData<Campaign>(campaignKeys.detail(id), (campaign) => campaign && { ...campaign, status })
      return { snapshot }
    },
    onError: (_error, _action, context) => rollback(client, context?.snapshot),
    onSuccess: (campaign) => client.setQueryData(campaignKeys.detail(id), campaign),
    onSettled: (_data, _error, action) => invalidateTargets(client, targets(action)),
  })
}
