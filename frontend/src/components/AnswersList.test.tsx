import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import type { LiveStreamOptions } from '../api'
import { useLiveStream } from '../hooks/useLiveStream'
import { AnswersPage } from '../pages/AnswersPage'
import { createFakeApi, makeCampaign, makeContact } from '../test/fakeApi'
import { fakeEventSources } from '../test/fakeEventSource'
import { renderAtRoute } from '../test/render'
import { AnswersList } from './AnswersList'

// The answers inbox against the fake API: keyset pages with "load more", opt-out keywords tagged,
// and new answers shown when the live stream pushes interaction.recorded (through the events map).

let api: ReturnType<typeof createFakeApi>
let sources: ReturnType<typeof fakeEventSources>
const ada = makeContact(1, 'Ada Lovelace', [3])
const bob = makeContact(2, 'Bob Marley', [3])

beforeEach(() => {
  api = createFakeApi()
  sources = fakeEventSources()
})

/** The list under the dashboard's one live stream, as the app renders it. */
function Live({ live, ...filters }: { live: LiveStreamOptions; campaignId?: number; contactId?: number }) {
  useLiveStream(live)
  return <AnswersList {...filters} />
}

const rows = () => screen.queryAllByTestId('answer-row')
const bodies = () => rows().map((row) => row.querySelector('.answer-body')!.textContent)

describe('the answers list', () => {
  it('shows 25 answers newest first, then the next page after the cursor on "load more"', async () => {
    api.addInteractions(Array.from({ length: 30 }, (_, i) => [i % 2 ? ada : bob, 4, `answer ${i + 1}`]))
    renderAtRoute(<AnswersList />)

    await waitFor(() => expect(rows()).toHaveLength(25))
    expect(bodies()[0]).toBe('answer 30')
    expect(screen.getByText(/older ones below/)).toBeTruthy()

    await userEvent.setup().click(screen.getByTestId('answers-load-more'))

    await waitFor(() => expect(rows()).toHaveLength(30))
    expect(bodies().at(-1)).toBe('answer 1')
    expect(screen.queryByTestId('answers-load-more')).toBeNull()
    expect(api.callsTo('/api/interactions').map((call) => call.search.get('cursor'))).toEqual([null, '25'])
  })

  it('tags an opt-out keyword and an opt-in, links the campaign, and asks with its filters', async () => {
    api.addInteractions([
      [ada, 4, 'Yes please'],
      [bob, 4, ' stop '],
      [bob, null, 'Start'],
    ])
    const { router } = renderAtRoute(<AnswersList contactId={2} />, '/answers')

    await waitFor(() => expect(rows()).toHaveLength(2))
    const [optIn, optOut] = rows()
    expect(within(optOut).getByTestId('answer-opt-out').textContent).toBe('opted out')
    expect(within(optIn).getByTestId('answer-opt-in')).toBeTruthy()
    expect(within(optOut).getByRole('link').getAttribute('href')).toBe('/campaigns/4')
    expect(within(optIn).queryByRole('link')).toBeNull()
    expect(api.callsTo('/api/interactions')[0].search.get('contact_id')).toBe('2')
    // A router link: the campaign's page opens in the app, without reloading the page.
    await userEvent.setup().click(within(optOut).getByRole('link'))
    expect(router.state.location.pathname).toBe('/campaigns/4')
  })

  it('shows a new answer on top when the stream pushes interaction.recorded, keeping the pages loaded', async () => {
    api.addInteractions(Array.from({ length: 30 }, (_, i) => [ada, 4, `answer ${i + 1}`]))
    const { client } = renderAtRoute(<Live live={{ open: sources.open }} />)
    await waitFor(() => expect(rows()).toHaveLength(25))
    await userEvent.setup().click(screen.getByTestId('answers-load-more'))
    await waitFor(() => expect(rows()).toHaveLength(30))
    await waitFor(() => expect(sources.opened).toHaveLength(1))
    act(() => sources.latest().emit('live'))
    await waitFor(() => expect(client.isFetching()).toBe(0))

    // Another campaign's status change leaves the inbox alone.
    const before = api.callsTo('/api/interactions').length
    act(() => sources.latest().emit('changes', { 'message.status': { campaign_ids: [4] } }))
    api.addInteractions([[bob, 4, 'STOP']])
    act(() => sources.latest().emit('changes', { 'interaction.recorded': { campaign_ids: [4], contact_ids: [2] } }))

    await waitFor(() => expect(bodies()[0]).toBe('STOP'))
    expect(rows()).toHaveLength(31)
    expect(within(rows()[0]).getByTestId('answer-opt-out')).toBeTruthy()
    // Both loaded pages refetched, the second after the first's new cursor; nothing for message.status.
    await waitFor(() => expect(client.isFetching()).toBe(0))
    expect(api.callsTo('/api/interactions').slice(before).map((call) => call.search.get('cursor'))).toEqual([null, '25'])
  })

  it("leaves a list filtered on another campaign alone when an answer is pushed", async () => {
    api.addInteractions([[ada, 5, 'Hello']])
    const { client } = renderAtRoute(<Live live={{ open: sources.open }} campaignId={5} />)
    await waitFor(() => expect(rows()).toHaveLength(1))
    await waitFor(() => expect(sources.opened).toHaveLength(1))
    act(() => sources.latest().emit('live'))
    await waitFor(() => expect(client.isFetching()).toBe(0))
    const before = api.callsTo('/api/interactions').length

    act(() => sources.latest().emit('changes', { 'interaction.recorded': { campaign_ids: [4], contact_ids: [1] } }))
    act(() => sources.latest().emit('changes', { 'interaction.recorded': { campaign_ids: [5], contact_ids: [1] } }))

    await waitFor(() => expect(api.callsTo('/api/interactions').length).toBe(before + 1))
    expect(api.callsTo('/api/interactions').at(-1)!.search.get('campaign_id')).toBe('5')
  })
})

describe('the answers page', () => {
  it("filters by a contact when its name is clicked, in the address too, and back to all", async () => {
    api.addInteractions([
      [ada, 4, 'Yes'],
      [bob, 4, 'No'],
    ])
    const { router } = renderAtRoute(<AnswersPage />, '/answers')
    await waitFor(() => expect(rows()).toHaveLength(2))
    const user = userEvent.setup()

    await user.click(within(rows()[0]).getByRole('button', { name: 'Bob Marley' }))

    await waitFor(() => expect(rows()).toHaveLength(1))
    expect(screen.getByTestId('answers-contact-filter').textContent).toContain('Bob Marley')
    expect(router.state.location.search).toBe('?contact_id=2')
    expect(api.callsTo('/api/interactions').at(-1)!.search.get('contact_id')).toBe('2')

    await user.click(screen.getByRole('button', { name: "Show every contact's answers" }))
    await waitFor(() => expect(rows()).toHaveLength(2))
    expect(router.state.location.search).toBe('')
  })

  it('filters by campaign, names the campaigns, and keeps the filter in the address', async () => {
    api.state.campaigns = [makeCampaign(4, 'Spring sale'), makeCampaign(5, 'Black Friday')]
    api.addInteractions([
      [ada, 4, 'Yes'],
      [bob, 5, 'No'],
    ])
    const { router } = renderAtRoute(<AnswersPage />, '/answers')
    await waitFor(() => expect(rows()).toHaveLength(2))
    await waitFor(() => expect(within(rows()[0]).getByRole('link').textContent).toBe('Black Friday'))

    await userEvent.setup().selectOptions(screen.getByRole('combobox', { name: 'Filter by campaign' }), '4')

    await waitFor(() => expect(bodies()).toEqual(['Yes']))
    expect(api.callsTo('/api/interactions').at(-1)!.search.get('campaign_id')).toBe('4')
    expect(router.state.location.search).toBe('?campaign_id=4')
    // The campaign column says nothing new under a campaign filter: it goes.
    expect(within(rows()[0]).queryByRole('link')).toBeNull()
  })
})
