import { useQuery } from '@tanstack/react-query'
import { statsQuery } from '../api'

export function useStats() {
  return useQuery(statsQuery())
}
