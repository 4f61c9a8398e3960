import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import { App } from '../App'
import { formatDateTime } from '../format'
import type { MessageRow } from '../api'
import { createFakeApi, makeCampaign, makeContact } from '../test/fakeApi'
import { fakeEventSources } from '../test/fakeEventSource'
import { renderWithClient } from '../test/render'

// The campaign page (/campaigns/:id) on the fake API and a fake live stream.

let api: ReturnType<typeof createFakeApi>
let sources: ReturnType<typeof fakeEventSources>

const COUNTS = {
  total_count: 200, sent_count: 180, delivered_count: 150, read_count: 90,
  interaction_count: 40, no_interaction_count: 30, failed_count: 50,
}

const row = (id: number, campaign_id: number, status: MessageRow['status']): MessageRow => ({
  id, campaign_id, contact_id: id, contact_name: `Contact ${id}`, step: 1, status, sent_at: '2024-05-01T10:00:00Z',
  created_at: '2024-05-01T09:00:00Z',
})

beforeEach(() => {
  api = createFakeApi()
  sources = fakeEventSources()
  api.state.campaigns = [makeCampaign(12, 'Spring offer', { status: 'running', launched_at: '2024-05-01T09:00:00Z', ...COUNTS })]
  api.state.timelines[12] = [
    { at: '2024-05-01T09:00:00Z', sent: 120, delivered: 100, read: 50, interactions: 20, failed: 5 },
    { at: '2024-05-01T10:00:00Z', sent: 60, delivered: 50, read: 40, interactions: 20, failed: 15 },
  ]
  api.state.messages = [row(1, 12, 'read'), row(2, 12, 'failed'), row(3, 99, 'read')]
})

const count = (step: string) => screen.getByTestId(`funnel-${step}`).textContent
const share = (step: string) => screen.getByTestId(`funnel-${step}-percent`).textContent

async function openCampaign(path = '/campaigns/12') {
  const rendered = renderWithClient(<App path={path} live={{ open: sources.open }} />)
  await waitFor(() => expect(screen.getByTestId('campaign-status').textContent).toBe('running'))
  return rendered
}

describe('the campaign page', () => {
  it('shows the funnel as plain numbers with each share of the total, failed and no-interaction apart', async () => {
    await openCampaign()
    expect(['total', 'sent', 'delivered', 'read', 'answered', 'no-interaction', 'failed'].map(count)).toEqual([
      '200', '180', '150', '90', '40', '30', '20',
    ])
    // failed_count (50) counts the no_interaction ones (30) too: 20 failed to send.
    expect(['sent', 'delivered', 'read', 'answered', 'no-interaction', 'failed'].map(share)).toEqual([
      '90%', '75%', '45%', '20%', '15%', '10%',
    ])
    expect(screen.getByRole('heading', { name: 'Spring offer' })).toBeTruthy()
  })

  it('shows its timeline by hour, then by day, and only its own messages, filtered by status', async () => {
    await openCampaign()
    const timeline = await screen.findByTestId('campaign-timeline')
    expect(within(timeline).getAllByRole('rowheader').map((cell) => cell.textContent)).toEqual(['05-01 09:00', '05-01 10:00'])
    expect(Array.from(timeline.querySelectorAll('td[data-series=interactions]')).map((cell) => cell.textContent)).toEqual(['20', '20'])
    await userEvent.setup().click(screen.getByRole('button', { name: 'Daily' }))
    await waitFor(() => expect(api.callsTo('/api/campaigns/12/timeline').map((call) => call.search.get('bucket'))).toEqual(['hour', 'day']))

    await waitFor(() => expect(screen.getAllByTestId('message-row').map((r) => r.dataset.messageId)).toEqual(['1', '2']))
    expect(api.callsTo('/api/messages').map((call) => call.search.get('campaign_id'))).toEqual(['12'])
    const filter = screen.getByRole('combobox', { name: 'Filter by status' })
    await userEvent.setup().selectOptions(filter, 'failed')
    await waitFor(() => expect(screen.getAllByTestId('message-row').map((r) => r.dataset.messageId)).toEqual(['2']))
    expect(api.callsTo('/api/messages').at(-1)!.search.get('campaign_id')).toBe('12')
  })

  it("lists its answers in one panel of their own, beside its messages", async () => {
    api.addInteractions([[makeContact(1, 'Ada Lovelace', [3]), 12, 'Yes please']])
    await openCampaign()
    await waitFor(() => expect(screen.getAllByTestId('answer-row')).toHaveLength(1))
    expect(screen.getAllByRole('heading', { name: /answers/i }).map((heading) => heading.textContent)).toEqual(['Its answers'])
    expect(document.querySelector('.panel .panel')).toBeNull()
    expect(api.callsTo('/api/interactions').map((call) => call.search.get('campaign_id'))).toEqual(['12'])
  })

  it('pauses a running campaign and resumes it, offering only what its status allows', async () => {
    await openCampaign()
    const user = userEvent.setup()
    expect(screen.queryByTestId('resume-button')).toBeNull()
    expect(screen.queryByTestId('edit-draft')).toBeNull()
    const writes = api.holdWrites()

    await user.click(screen.getByTestId('pause-button'))
    // Paused on screen before the server answers.
    await waitFor(() => expect(screen.getByTestId('campaign-status').textContent).toBe('paused'))
    writes.release()
    await waitFor(() => expect(api.state.campaigns[0].status).toBe('paused'))
    expect(api.callsTo('/api/campaigns/12/pause', 'POST')).toHaveLength(1)
    await user.click(await screen.findByTestId('resume-button'))
    await waitFor(() => expect(screen.getByTestId('campaign-status').textContent).toBe('running'))
    expect(api.callsTo('/api/campaigns/12/resume', 'POST')).toHaveLength(1)
    expect(screen.getByTestId('pause-button')).toBeTruthy()
  })

  it('puts the status back when the server refuses a pause', async () => {
    await openCampaign()
    api.failNextWrite(409, 'conflict', 'The campaign is completed')
    await userEvent.setup().click(screen.getByTestId('pause-button'))
    expect(await screen.findByText('The campaign is completed')).toBeTruthy()
    expect(screen.getByTestId('campaign-status').textContent).toBe('running')
  })

  it('links a draft to its composer and offers no pause', async () => {
    api.state.campaigns = [makeCampaign(13, 'Draft one')]
    renderWithClient(<App path="/campaigns/13" />)
    expect((await screen.findByTestId('campaign-status')).textContent).toBe('draft')
    expect(screen.getByTestId('edit-draft').getAttribute('href')).toBe('/campaigns/13/edit')
    expect(screen.queryByTestId('pause-button')).toBeNull()
  })

  it('moves the funnel and the timeline when a status change of this campaign is pushed, and not for another one', async () => {
    const { client } = await openCampaign()
    await waitFor(() => expect(sources.opened).toHaveLength(1))
    act(() => sources.latest().emit('live'))
    await screen.findByTestId('campaign-timeline')
    await waitFor(() => expect(client.isFetching()).toBe(0))
    const detailReads = () => api.callsTo('/api/campaigns/12').length
    const timelineReads = () => api.callsTo('/api/campaigns/12/timeline').length
    const [details, timelines] = [detailReads(), timelineReads()]

    act(() => sources.latest().emit('changes', { 'message.status': { campaign_ids: [99] } }, '1'))
    await waitFor(() => expect(client.isFetching()).toBe(0))
    expect([detailReads(), timelineReads()]).toEqual([details, timelines])

    Object.assign(api.state.campaigns[0], { delivered_count: 170, read_count: 120 })
    act(() => sources.latest().emit('changes', { 'message.status': { campaign_ids: [12] } }, '2'))
    await waitFor(() => expect(count('delivered')).toBe('170'))
    expect(count('read')).toBe('120')
    expect(share('read')).toBe('60%')
    await waitFor(() => expect(timelineReads()).toBe(timelines + 1))
  })

  it('says nothing of the messaging limit when the campaign is not held by it', async () => {
    await openCampaign()
    expect(screen.queryByTestId('campaign-blocked-until')).toBeNull()
  })

  it('shows blocked_until for a running campaign held by the messaging limit', async () => {
    api.state.campaigns[0].blocked_until = '2024-05-02T09:00:00Z'
    await openCampaign()
    const held = screen.getByTestId('campaign-blocked-until').textContent
    expect(held).toContain('Held by the messaging limit')
    expect(held).toContain(formatDateTime('2024-05-02T09:00:00Z'))
  })

  it('says so when the campaign does not exist', async () => {
    renderWithClient(<App path="/campaigns/404" />)
    expect(await screen.findByText('Campaign not found')).toBeTruthy()
  })
})

describe("the campaign's history", () => {
  it('shows who created and launched it, and who paused it once paused', async () => {
    api.state.histories[12] = [
      { action: 'campaign.created', actor: 'olga@example.com', at: '2024-05-01T09:00:00Z' },
      { action: 'campaign.launched', actor: 'ci-token', at: '2024-05-01T09:30:00Z' },
    ]
    renderWithClient(<App path="/campaigns/12" />)
    const entries = () => screen.getAllByTestId('history-entry').map((entry) => entry.textContent)
    await waitFor(() => expect(entries()).toHaveLength(2))
    expect(entries()[0]).toMatch(/^created by olga@example\.com, /)
    expect(entries()[1]).toMatch(/^launched by ci-token, /)
    const user = userEvent.setup()

    await user.click(screen.getByTestId('pause-button'))

    // campaign.paused through the events map: the history is asked again and names who paused it.
    await waitFor(() => expect(entries()).toHaveLength(3))
    expect(entries()[2]).toMatch(/^paused by ada@example\.com, /)
  })
})
