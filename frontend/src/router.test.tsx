import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import { App } from './App'
import { createFakeApi, makeCampaign } from './test/fakeApi'
import { fakeEventSources } from './test/fakeEventSource'
import { renderWithClient } from './test/render'

// Each page's URL, opened directly (as a bookmark would), renders that page inside the one shell.

let api: ReturnType<typeof createFakeApi>
let sources: ReturnType<typeof fakeEventSources>

beforeEach(() => {
  api = createFakeApi()
  sources = fakeEventSources()
  api.state.campaigns = [makeCampaign(12, 'Spring offer', { status: 'running', total_count: 10, sent_count: 4 })]
})

const activeNav = () => document.querySelector('.nav a.is-active')?.textContent

describe('the router', () => {
  it.each([
    ['/', () => screen.getByTestId('contact-form'), 'Overview'],
    ['/campaigns', () => screen.getByRole('link', { name: 'New campaign' }), 'Campaigns'],
    ['/campaigns/new', () => screen.getByRole('heading', { name: 'New campaign' }), 'Campaigns'],
    ['/campaigns/12', () => screen.getByTestId('campaign-status'), 'Campaigns'],
    ['/answers', () => screen.getByRole('heading', { name: 'Answers' }), 'Answers'],
    ['/contacts', () => screen.getByRole('heading', { name: 'Contacts' }), 'Contacts'],
    ['/no/such/page', () => screen.getByRole('heading', { name: 'No such page' }), undefined],
  ])('renders %s when opened directly', async (path, landmark, nav) => {
    renderWithClient(<App path={path} />)
    await waitFor(() => expect(landmark()).toBeTruthy())
    expect(activeNav()).toBe(nav)
    expect(screen.getByTestId('live-indicator')).toBeTruthy()
  })

  it('keeps the overview hooks of the contract on /', async () => {
    renderWithClient(<App path="/" />)
    await waitFor(() => expect(screen.getByTestId('stat-contacts').textContent).toBe('9'))
    expect(document.querySelector('[data-testid=category-row][data-category-id="3"] [data-testid=category-count]')).toBeTruthy()
    expect(await screen.findByTestId('cache-hit-ratio')).toBeTruthy()
  })

  it('lists the campaigns with their progress, each linking to its page, over one live stream for every page', async () => {
    renderWithClient(<App path="/campaigns" live={{ open: sources.open }} />)
    const link = await screen.findByRole('link', { name: 'Spring offer' })
    expect(link.getAttribute('href')).toBe('/campaigns/12')
    const sent = screen.getByRole('progressbar', { name: 'Sent' }) as HTMLProgressElement
    expect([sent.value, sent.max]).toEqual([4, 10])
    expect(screen.getByTestId('campaign-progress').textContent).toContain('4/10')

    const user = userEvent.setup()
    await user.click(link)
    await waitFor(() => expect(screen.getByTestId('campaign-status').textContent).toBe('running'))
    await user.click(screen.getByRole('link', { name: 'Overview' }))
    await waitFor(() => expect(screen.getByTestId('contact-form')).toBeTruthy())
    await user.click(screen.getByRole('link', { name: 'Campaigns' }))
    await screen.findByRole('link', { name: 'New campaign' })
    // The stream belongs to the shell: navigating opens no other one and closes none.
    expect(sources.opened).toHaveLength(1)
    expect(api.callsTo('/api/events/ticket', 'POST')).toHaveLength(1)
  })
})
