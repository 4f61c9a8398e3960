import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import { App } from '../App'
import { createFakeApi, makeCampaign } from '../test/fakeApi'
import { renderWithClient } from '../test/render'

// The campaign composer (/campaigns/new, /campaigns/:id/edit) on the fake API.

let api: ReturnType<typeof createFakeApi>

beforeEach(() => {
  api = createFakeApi()
  // Category 3: three contacts, one of them opted out; category 7: two; one contact in both.
  api.addContacts(3, [3])
  api.addContacts(2, [7])
  api.addContacts(1, [3, 7])
  api.state.contacts.find((c) => c.category_ids.join() === '3')!.opted_out_at = '2024-05-01T09:00:00Z'
})

const form = () => screen.getByTestId('campaign-form')
const box = (id: number) => form().querySelector<HTMLInputElement>(`input[name=category_ids][value="${id}"]`)!
const audience = () => screen.getByTestId('audience-count').textContent
const optedOut = () => screen.getByTestId('audience-opted-out').textContent
const audienceAsked = () => api.callsTo('/api/campaigns/audience').map((call) => call.search.get('category_ids'))
const fieldError = (field: string) => form().querySelector(`[data-field-error=${field}]`)?.textContent

async function openComposer(path = '/campaigns/new') {
  const rendered = renderWithClient(<App path={path} />)
  await waitFor(() => expect(box(3)).toBeTruthy())
  return rendered
}

async function fill(user: ReturnType<typeof userEvent.setup>, name: string) {
  await user.type(form().querySelector('input[name=name]')!, name)
  await user.type(form().querySelector('textarea[name=first_text]')!, 'Spring is here')
  await user.type(form().querySelector('textarea[name=second_text]')!, 'Thanks for answering')
}

describe('the campaign composer', () => {
  it('shows the audience live as categories are ticked, opted-out contacts apart, keeping the number while recounting', async () => {
    await openComposer()
    const user = userEvent.setup()
    expect(audience()).toBe('0')
    expect(audienceAsked()).toEqual([])
    // Each category's contact count is next to its box.
    expect(box(3).closest('label')!.textContent).toContain('(4)')

    await user.click(box(3))
    await waitFor(() => expect(audience()).toBe('3'))
    expect(optedOut()).toBe('1')

    const reads = api.holdReads()
    await user.click(box(7))
    await waitFor(() => expect(audienceAsked()).toEqual(['3', '3,7']))
    expect(audience()).toBe('3') // the previous count stays until the new one is in
    reads.release()
    await waitFor(() => expect(audience()).toBe('5'))
    expect(optedOut()).toBe('1')

    await user.click(box(3))
    await waitFor(() => expect(audience()).toBe('3'))
    expect(optedOut()).toBe('0')
    await user.click(box(7))
    expect(audience()).toBe('0')
    // Ticking 3 again reads the cached entry for [3]; 7 then 3 shares [3, 7]'s.
    expect(audienceAsked()).toEqual(['3', '3,7', '7'])
  })

  it('warns when the audience is larger than what is left of the messaging limit', async () => {
    api.state.messagingLimit = { limit: 250, remaining: 4 }
    await openComposer()
    const user = userEvent.setup()

    await user.click(box(3))
    await waitFor(() => expect(audience()).toBe('3'))
    expect(screen.queryByTestId('messaging-limit-warning')).toBeNull() // 3 fit in the 4 left

    await user.click(box(7))
    await waitFor(() => expect(audience()).toBe('5'))
    const warning = screen.getByTestId('messaging-limit-warning').textContent
    expect(warning).toContain('Only 4 of the messaging limit (250 new users per 24 hours)')
    expect(warning).toContain('the other 1 will be sent as the window moves')
  })

  it('says nothing of a limit when the number is unlimited', async () => {
    await openComposer()
    await userEvent.setup().click(box(3))
    await waitFor(() => expect(audience()).toBe('3'))
    expect(screen.queryByTestId('messaging-limit-warning')).toBeNull()
  })

  it('saves a new draft with POST, then edits it with PATCH on its edit page', async () => {
    await openComposer()
    const user = userEvent.setup()
    await fill(user, 'Spring offer')
    await user.click(box(7))
    await user.click(box(3))
    await user.click(within(form()).getByRole('button', { name: 'Save draft' }))

    await waitFor(() => expect(screen.getByRole('heading', { name: 'Edit draft: Spring offer' })).toBeTruthy())
    const saved = api.state.campaigns[0]
    expect(saved).toMatchObject({
      name: 'Spring offer',
      category_ids: [3, 7],
      first_message: { text: 'Spring is here' },
      second_message: { text: 'Thanks for answering' },
      status: 'draft',
    })
    expect(api.callsTo('/api/campaigns', 'POST')).toHaveLength(1)

    const name = form().querySelector<HTMLInputElement>('input[name=name]')!
    expect(name.value).toBe('Spring offer')
    await user.clear(name)
    await user.type(name, 'Spring offer v2')
    await user.click(within(form()).getByRole('button', { name: 'Save draft' }))
    await waitFor(() => expect(api.callsTo(`/api/campaigns/${saved.id}`, 'PATCH')).toHaveLength(1))
    await waitFor(() => expect(api.state.campaigns[0].name).toBe('Spring offer v2'))
    expect(api.callsTo('/api/campaigns', 'POST')).toHaveLength(1)
  })

  it('sends a template name and language instead of a text when toggled', async () => {
    await openComposer()
    const user = userEvent.setup()
    await user.type(form().querySelector('input[name=name]')!, 'Templated')
    await user.click(within(form()).getByRole('button', { name: 'Template' }))
    expect(form().querySelector('textarea[name=first_text]')).toBeNull()
    await user.type(form().querySelector('input[name=template]')!, 'spring_offer')
    await user.type(form().querySelector('textarea[name=second_text]')!, 'Thanks')
    await user.click(box(3))
    await user.click(within(form()).getByRole('button', { name: 'Save draft' }))
    await waitFor(() => expect(api.state.campaigns).toHaveLength(1))
    expect(api.state.campaigns[0].first_message).toEqual({ template: 'spring_offer', language: 'en' })
  })

  it("shows the API's 422 messages next to their fields, nested ones too, and keeps what was typed", async () => {
    await openComposer()
    const user = userEvent.setup()
    await user.click(within(form()).getByRole('button', { name: 'Save draft' }))
    await waitFor(() => expect(fieldError('name')).toBe('Shorter than minimum length 1.'))
    expect(fieldError('category_ids')).toBe('Shorter than minimum length 1.')

    await fill(user, 'Fixed')
    await user.click(box(3))
    api.failNextWrite(422, 'validation_error', 'the request is not valid', {
      first_message: { text: ['Longer than maximum length 4096.'] },
      second_message: { text: ['Field may not be null.'] },
    })
    await user.click(within(form()).getByRole('button', { name: 'Save draft' }))
    await waitFor(() => expect(fieldError('first_message')).toBe('Longer than maximum length 4096.'))
    expect(fieldError('second_message')).toBe('Field may not be null.')
    expect(fieldError('name')).toBeUndefined()
    expect(form().querySelector<HTMLInputElement>('input[name=name]')!.value).toBe('Fixed')
    expect(api.state.campaigns).toEqual([])
  })

  it('launches a saved draft only after a confirmation that states the audience, then opens its page', async () => {
    api.state.campaigns = [makeCampaign(50, 'Ready', { category_ids: [3, 7] })]
    await openComposer('/campaigns/50/edit')
    const user = userEvent.setup()
    expect(screen.queryByTestId('confirm-launch')).toBeNull()

    await user.click(screen.getByTestId('launch-button'))
    const dialog = screen.getByRole('alertdialog', { name: 'Confirm the launch' })
    await waitFor(() => expect(within(dialog).getByTestId('audience-count').textContent).toBe('5'))
    expect(within(dialog).getByTestId('audience-opted-out').textContent).toBe('1')
    expect(api.callsTo('/api/campaigns/50/launch', 'POST')).toHaveLength(0)

    const writes = api.holdWrites()
    await user.click(screen.getByTestId('confirm-launch'))
    // Until the server answers, the confirmation stays, saying it is launching.
    await waitFor(() => expect(screen.getByTestId('confirm-launch').textContent).toBe('Launching…'))
    expect(screen.getByTestId('campaign-form')).toBeTruthy()
    writes.release()
    await waitFor(() => expect(screen.getByTestId('campaign-status').textContent).toBe('running'))
    expect(api.callsTo('/api/campaigns/50/launch', 'POST')).toHaveLength(1)
    expect(screen.queryByTestId('campaign-form')).toBeNull()
  })

  it('stays on the confirmation with the error when the server refuses the launch', async () => {
    api.state.campaigns = [makeCampaign(53, 'Refused', { category_ids: [3] })]
    await openComposer('/campaigns/53/edit')
    const user = userEvent.setup()
    await user.click(screen.getByTestId('launch-button'))
    api.failNextWrite(409, 'conflict', 'The campaign is running')
    await user.click(screen.getByTestId('confirm-launch'))
    expect(await screen.findByText('The campaign is running')).toBeTruthy()
    expect(screen.getByTestId('campaign-form')).toBeTruthy()
    expect(screen.queryByTestId('campaign-status')).toBeNull()
  })

  it('deletes a draft after asking once more, then lists the campaigns', async () => {
    api.state.campaigns = [makeCampaign(51, 'Unwanted')]
    await openComposer('/campaigns/51/edit')
    const user = userEvent.setup()
    await user.click(screen.getByTestId('delete-draft'))
    expect(api.callsTo('/api/campaigns/51', 'DELETE')).toHaveLength(0)
    await user.click(screen.getByRole('button', { name: 'Really delete this draft?' }))
    await waitFor(() => expect(screen.getByRole('link', { name: 'New campaign' })).toBeTruthy())
    expect(api.callsTo('/api/campaigns/51', 'DELETE')).toHaveLength(1)
    expect(await screen.findByText('No campaigns yet.')).toBeTruthy()
  })

  it('refuses to edit a campaign that is no longer a draft', async () => {
    api.state.campaigns = [makeCampaign(52, 'Gone out', { status: 'running' })]
    renderWithClient(<App path="/campaigns/52/edit" />)
    expect(await screen.findByText(/This campaign is running: only a draft can be edited/)).toBeTruthy()
    expect(screen.queryByTestId('campaign-form')).toBeNull()
  })
})
