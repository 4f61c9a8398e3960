import { screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { statsKeys } from '../api'
import { createFakeApi } from '../test/fakeApi'
import { renderWithClient } from '../test/render'
import { StatsCards } from './StatsCards'

describe('a panel refetching in the background', () => {
  it('keeps its data on screen with a small "updating…" badge, never the loading placeholder', async () => {
    const api = createFakeApi()
    const { client } = renderWithClient(<StatsCards />)
    expect(screen.getByText('Loading…')).toBeTruthy()
    await waitFor(() => expect(screen.getByTestId('stat-contacts').textContent).toBe('9'))

    const hold = api.holdReads()
    void client.invalidateQueries({ queryKey: statsKeys.all(), exact: true })

    const panel = screen.getByRole('heading', { name: 'Overview' }).closest('section')!
    expect(await within(panel).findByText('updating…')).toBeTruthy()
    expect(within(panel).queryByText('Loading…')).toBeNull()
    expect(screen.getByTestId('stat-contacts').textContent).toBe('9')

    hold.release()
    await waitFor(() => expect(within(panel).queryByText('updating…')).toBeNull())
  })
})
