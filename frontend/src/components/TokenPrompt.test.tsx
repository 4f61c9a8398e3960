import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { resetAuth, TOKEN_STORAGE_KEY } from '../api'
import { App } from '../App'
import { statContacts } from '../test/dashboard'
import { createFakeApi } from '../test/fakeApi'
import { renderWithClient } from '../test/render'

async function enterToken(token: string) {
  const user = userEvent.setup()
  const dialog = await screen.findByRole('dialog')
  await user.type(within(dialog).getByLabelText('API token'), token)
  await user.click(within(dialog).getByRole('button', { name: 'Continue' }))
}

describe('the API token prompt', () => {
  afterEach(resetAuth)

  it('asks for the token on 401, keeps it in sessionStorage and refetches with it', async () => {
    const api = createFakeApi()
    api.state.token = 's3cret'
    renderWithClient(<App />)

    await enterToken('s3cret')

    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe('s3cret')
    await waitFor(() => expect(statContacts()).toBe('9'))
    expect(screen.queryByRole('dialog')).toBeNull()
    const lastStats = api.callsTo('/api/messages/stats').at(-1)!
    expect(lastStats.authorization).toBe('Bearer s3cret')
  })

  it('says so when the token is refused and asks again', async () => {
    const api = createFakeApi()
    api.state.token = 's3cret'
    renderWithClient(<App />)

    await enterToken('wrong')

    await waitFor(() => expect(screen.getByRole('dialog').textContent).toContain('That token was refused'))
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull()
  })
})
