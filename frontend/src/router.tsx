import { NavLink, Outlet } from 'react-router'
import type { RouteObject } from 'react-router'
import type { LiveStreamOptions } from './api'
import { LiveIndicator } from './components/LiveIndicator'
import { TokenPrompt } from './components/TokenPrompt'
import { LiveStateContext, useLiveStream } from './hooks/useLiveStream'
import { AnswersPage } from './pages/AnswersPage'
import { CampaignComposerPage } from './pages/CampaignComposerPage'
import { CampaignPage } from './pages/CampaignPage'
import { CampaignsPage } from './pages/CampaignsPage'
import { ContactsPage } from './pages/ContactsPage'
import { NotFoundPage } from './pages/NotFoundPage'
import { OverviewPage } from './pages/OverviewPage'

// The dashboard's pages (React Router's data router). Every path is a real URL: the Flask app serves
// index.html for each of them (chatbot/blueprints/dashboard.py), so a page can be bookmarked and opened directly.

const NAV = [
  { to: '/', label: 'Overview', end: true },
  { to: '/campaigns', label: 'Campaigns', end: false },
  { to: '/answers', label: 'Answers', end: false },
  { to: '/contacts', label: 'Contacts', end: false },
]

/** The frame around every page: the top bar with its navigation and the one live stream, kept across pages. */
function Shell({ live }: { live?: LiveStreamOptions }) {
  const liveState = useLiveStream(live)
  return (
    <LiveStateContext.Provider value={liveState}>
      <div className="app">
        <header className="topbar">
          <h1>
            <span className="logo" aria-hidden="true">◆</span> Campaign dashboard
          </h1>
          <nav className="nav" aria-label="Pages">
            {NAV.map(({ to, label, end }) => (
              <NavLink key={to} to={to} end={end} className={({ isActive }) => (isActive ? 'nav-link is-active' : 'nav-link')}>
                {label}
              </NavLink>
            ))}
          </nav>
          <div className="topbar-right">
            <LiveIndicator state={liveState} />
          </div>
        </header>
        <main className="layout">
          <Outlet />
        </main>
        <TokenPrompt />
      </div>
    </LiveStateContext.Provider>
  )
}

/** The route tree; `live` reaches the shell's stream (tests pass a fake EventSource). */
export function appRoutes(live?: LiveStreamOptions): RouteObject[] {
  return [
    {
      path: '/',
      element: <Shell live={live} />,
      children: [
        { index: true, element: <OverviewPage /> },
        { path: 'campaigns', element: <CampaignsPage /> },
        { path: 'campaigns/new', element: <CampaignComposerPage /> },
        { path: 'campaigns/:id', element: <CampaignPage /> },
        { path: 'campaigns/:id/edit', element: <CampaignComposerPage /> },
        { path: 'answers', element: <AnswersPage /> },
        { path: 'contacts', element: <ContactsPage /> },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]
}
