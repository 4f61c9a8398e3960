import type { FormEvent } from 'react'
import { useSearchParams } from 'react-router'
import { ApiError } from '../api'
import { ErrorMessage } from '../components/ErrorMessage'
import { useLogin } from '../hooks/useSession'

/** What a refused login says: one message for a wrong email or password (the server does not tell which). */
function LoginError({ error }: { error: Error }) {
  if (error instanceof ApiError && error.status === 401) {
    return <p className="error" role="alert">Wrong email or password.</p>
  }
  if (error instanceof ApiError && error.status === 429) {
    const wait = error.retryAfter === null ? 'later' : `in ${error.retryAfter} s`
    return <p className="error" role="alert">Too many attempts, retry {wait}.</p>
  }
  return <ErrorMessage error={error} />
}

/** `/login`: email and password; back to the page that asked for it (`?next=`) once logged in. */
export function LoginPage() {
  const [search] = useSearchParams()
  const attempt = useLogin(search.get('next'))

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const data = new FormData(event.currentTarget)
    attempt.mutate({ email: String(data.get('email') ?? '').trim(), password: String(data.get('password') ?? '') })
  }

  return (
    <main className="login">
      <form className="panel login-form stack" data-testid="login-form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          <span className="logo" aria-hidden="true">◆</span> Campaign dashboard
        </h1>
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {attempt.isError && <LoginError error={attempt.error} />}
        <button type="submit" disabled={attempt.isPending}>
          {attempt.isPending ? 'Logging in…' : 'Log in'}
        </button>
        <p className="muted small">
          No account? An admin creates one on the Users page, or on the server with{' '}
          <code>flask users create EMAIL --role admin</code>.
        </p>
      </form>
    </main>
  )
}
