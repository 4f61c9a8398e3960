import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { dailyCountersQuery } from '../api'

export const DAY_RANGES = [7, 14, 30, 90] as const

/** The daily counters over a chosen number of days. */
export function useDailyCounters(initialDays = 7) {
  const [days, setDays] = useState(initialDays)
  const query = useQuery(dailyCountersQuery(days))
  return { query, days, setDays }
}
