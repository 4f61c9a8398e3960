import { Navigate, NavLink, Outlet, useLocation } from 'react-router'
import type { RouteObject } from 'react-router'
import { ApiError } from './api'
import type { LiveStreamOptions, Me } from './api'
import type { Action } from './auth/can'
import { CurrentUser } from './components/CurrentUser'
import { ErrorMessage } from './components/ErrorMessage'
import { Only } from './components/Forbidden'
import { LiveIndicator } from './components/LiveIndicator'
import { LiveStateContext, useLiveStream } from './hooks/useLiveStream'
import { loginPath, useCan, useCurrentUser, useSessionEnded } from './hooks/useSession'
import { AnswersPage } from './pages/AnswersPage'
import { CampaignComposerPage } from './pages/CampaignComposerPage'
import { CampaignPage } from './pages/CampaignPage'
import { CampaignsPage } from './pages/CampaignsPage'
import { ContactsPage } from './pages/ContactsPage'
import { LoginPage } from './pages/LoginPage'
import { NotFoundPage } from './pages/NotFoundPage'
import { OverviewPage } from './pages/OverviewPage'
import { UsersPage } from './pages/UsersPage'

// The dashboard's pages (React Router's data router). Every path is a real URL: the Flask app serves
// index.html for each of them (chatbot/blueprints/dashboard.py), so a page can be bookmarked and opened directly.
// Every page but /login needs a session: without one (GET /api/auth/me, or any other request, answers 401)
// the shell sends the operator to /login, which comes back here afterwards.

const NAV: Array<{ to: string; label: string; end: boolean; only?: Action }> = [
  { to: '/', label: 'Overview', end: true },
  { to: '/campaigns', label: 'Campaigns', end: false },
  { to: '/answers', label: 'Answers', end: false },
  { to: '/contacts', label: 'Contacts', end: false },
  { to: '/users', label: 'Users', end: false, only: 'users.manage' },
]

/** The frame around every page once logged in: the top bar (navigation, the user) and the one live stream, kept across pages. */
function SignedIn({ me, live }: { me: Me; live?: LiveStreamOptions }) {
  // Opened only with a session: its ticket (POST /api/events/ticket) is asked with the session's cookie and CSRF token.
  const liveState = useLiveStream(live)
  const can = useCan()
  return (
    <LiveStateContext.Provider value={liveState}>
      <div className="app">
        <header className="topbar">
          <h1>
            <span className="logo" aria-hidden="true">◆</span> Campaign dashboard
          </h1>
          <nav className="nav" aria-label="Pages">
            {NAV.filter(({ only }) => !only || can(only)).map(({ to, label, end }) => (
              <NavLink key={to} to={to} end={end} className={({ isActive }) => (isActive ? 'nav-link is-active' : 'nav-link')}>
                {label}
              </NavLink>
            ))}
          </nav>
          <div className="topbar-right">
            <LiveIndicator state={liveState} />
            <CurrentUser me={me} />
          </div>
        </header>
        <main className="layout">
          <Outlet />
        </main>
      </div>
    </LiveStateContext.Provider>
  )
}

/** Every page's gate: the dashboard once the session's user is known, the login page without a session. */
function Shell({ live }: { live?: LiveStreamOptions }) {
  const me = useCurrentUser()
  const ended = useSessionEnded()
  const { pathname, search } = useLocation()
  const unauthorized = me.error instanceof ApiError && me.error.status === 401
  if (ended || unauthorized) return <Navigate to={loginPath(pathname + search)} replace />
  if (me.data) return <SignedIn me={me.data} live={live} />
  if (me.isError) return <ErrorMessage error={me.error} />
  return <div className="loading" role="status">Loading…</div>
}

/** The route tree; `live` reaches the shell's stream (tests pass a fake EventSource). */
export function appRoutes(live?: LiveStreamOptions): RouteObject[] {
  return [
    { path: '/login', element: <LoginPage /> },
    {
      path: '/',
      element: <Shell live={live} />,
      children: [
        { index: true, element: <OverviewPage /> },
        { path: 'campaigns', element: <CampaignsPage /> },
        { path: 'campaigns/new', element: <Only action="campaigns.write"><CampaignComposerPage /></Only> },
        { path: 'campaigns/:id', element: <CampaignPage /> },
        { path: 'campaigns/:id/edit', element: <Only action="campaigns.write"><CampaignComposerPage /></Only> },
        { path: 'answers', element: <AnswersPage /> },
        { path: 'contacts', element: <ContactsPage /> },
        { path: 'users', element: <Only action="users.manage"><UsersPage /></Only> },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]
}
