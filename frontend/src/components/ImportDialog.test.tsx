import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import { App } from '../App'
import { statContacts, waitForDashboard } from '../test/dashboard'
import { createFakeApi } from '../test/fakeApi'
import { renderWithClient } from '../test/render'

// The contact import dialog, reached from the overview's contacts panel, against the fake API (its
// upload goes through a fake XMLHttpRequest whose progress events the test drives).

let api: ReturnType<typeof createFakeApi>

beforeEach(() => {
  api = createFakeApi()
  api.addContacts(2, [3]) // stats: 9 + 2 = 11 contacts
})

const CSV = 'phone,name,categories\n+14155550001,Ada Lovelace,Leads\nnot-a-phone,Bob,\n+14155550002,Grace Hopper,\n'

/** Opens the dialog from the contacts panel and picks the file. */
async function chooseFile(text = CSV) {
  const user = userEvent.setup()
  await user.click(screen.getByTestId('import-open'))
  const dialog = screen.getByTestId('import-dialog')
  await user.upload(within(dialog).getByTestId('import-file'), new File([text], 'contacts.csv', { type: 'text/csv' }))
  return { user, dialog }
}

describe('the import dialog', () => {
  it('shows the upload progress, then the counts and the rejected lines, and refreshes the contacts', async () => {
    renderWithClient(<App />)
    await waitForDashboard('11', [3, '2'])
    const { user, dialog } = await chooseFile()
    const upload = api.holdUploads()
    const contactReads = api.callsTo('/api/contacts').length

    await user.click(within(dialog).getByTestId('import-submit'))
    await waitFor(() => expect(upload.started()).toBe(true))
    upload.progress(30, 120)
    await waitFor(() => expect(screen.getByTestId('import-progress').getAttribute('value')).toBe('25'))
    expect(within(dialog).getByRole('status').textContent).toContain('Uploading… 25%')
    upload.progress(120, 120)
    await waitFor(() => expect(within(dialog).getByRole('status').textContent).toContain('the server is importing'))
    expect(screen.queryByTestId('import-result')).toBeNull()

    upload.release()
    const result = await screen.findByTestId('import-result')
    expect(within(result).getByTestId('import-created').textContent).toBe('2')
    expect(within(result).getByTestId('import-updated').textContent).toBe('0')
    expect(within(result).getByTestId('import-unchanged').textContent).toBe('0')
    expect(within(result).getByTestId('import-rejected').textContent).toBe('1')
    const rejected = within(result).getAllByTestId('rejected-row')
    expect(rejected.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent))).toEqual([
      ['3', 'not-a-phone', 'phone: Must be in international format, starting with + and the country code.'],
    ])
    expect(screen.queryByTestId('import-progress')).toBeNull()

    // Sent as the CSV itself, with the session's CSRF token, like every other write.
    const [call] = api.callsTo('/api/contacts/import', 'POST')
    expect(call.csrf).toBe(api.state.session!.csrf_token)
    // contacts.imported through the events map: the stats and the contacts list refetch.
    await waitFor(() => expect(statContacts()).toBe('13'))
    await waitFor(() => expect(api.callsTo('/api/contacts').length).toBeGreaterThan(contactReads))
    await screen.findByText('Grace Hopper')
  })

  it('says plainly that a file is too large (413), and imports nothing', async () => {
    renderWithClient(<App />)
    await waitForDashboard('11', [3, '2'])
    const { user, dialog } = await chooseFile()
    api.failNextWrite(413, 'payload_too_large', 'The body is over 20 MiB.')

    await user.click(within(dialog).getByTestId('import-submit'))

    const error = await within(dialog).findByTestId('import-error')
    expect(error.textContent).toContain('This file is too large for the server')
    expect(error.textContent).toContain('The body is over 20 MiB.')
    expect(screen.queryByTestId('import-result')).toBeNull()
    expect(statContacts()).toBe('11')
  })

  it('says which columns it needs when the file is not such a CSV (400)', async () => {
    renderWithClient(<App />)
    await waitForDashboard('11', [3, '2'])
    const { user, dialog } = await chooseFile('email,first\nada@example.com,Ada\n')
    api.failNextWrite(400, 'bad_request', 'the header must name the columns phone, name and optionally categories, once each')

    await user.click(within(dialog).getByTestId('import-submit'))

    const error = await within(dialog).findByTestId('import-error')
    expect(error.textContent).toContain('not a CSV with the columns phone, name, categories')
    // Choosing another file clears the error, ready for another try.
    await user.upload(within(dialog).getByTestId('import-file'), new File([CSV], 'fixed.csv', { type: 'text/csv' }))
    expect(within(dialog).queryByTestId('import-error')).toBeNull()
  })

  it('lists at most 200 rejected lines and says how many there are', async () => {
    renderWithClient(<App />)
    await waitForDashboard('11', [3, '2'])
    const bad = Array.from({ length: 250 }, (_, i) => `bad-${i},Someone,`).join('\n')
    const { user, dialog } = await chooseFile(`phone,name,categories\n${bad}\n`)

    await user.click(within(dialog).getByTestId('import-submit'))

    const result = await screen.findByTestId('import-result')
    expect(within(result).getByTestId('import-rejected').textContent).toBe('250')
    expect(within(result).getAllByTestId('rejected-row')).toHaveLength(200)
    expect(result.textContent).toContain('The first 200 of 250 rejected lines')
  })
})
