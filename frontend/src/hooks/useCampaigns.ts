import { useQuery } from '@tanstack/react-query'
import { campaignsQuery } from '../api'

export function useCampaigns() {
  return useQuery(campaignsQuery())
}
