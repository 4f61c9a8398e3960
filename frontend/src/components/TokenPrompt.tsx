import type { FormEvent } from 'react'
import { useAuth } from '../hooks/useAuth'

/** Shown when the API answers 401: asks for the API token, which is kept for this browser session. */
export function TokenPrompt() {
  const auth = useAuth()
  if (!auth.required) return null

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const token = String(new FormData(event.currentTarget).get('token') ?? '').trim()
    if (token) void auth.submitToken(token)
  }

  return (
    <div className="overlay">
      <form className="dialog stack" role="dialog" aria-modal="true" aria-labelledby="token-title" data-testid="token-form" onSubmit={submit}>
        <h2 id="token-title">API token needed</h2>
        <p className="muted">
          {auth.rejected ? 'That token was refused. ' : ''}The server asks for its API token. It is kept in this
          browser tab only, until you close it.
        </p>
        <label>
          API token
          <input name="token" type="password" autoComplete="off" autoFocus required />
        </label>
        <div className="row">
          <button type="submit">Continue</button>
        </div>
      </form>
    </div>
  )
}
