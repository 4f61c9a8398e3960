import { useState } from 'react'
import type { ReactNode } from 'react'
import { CacheMetrics } from './components/CacheMetrics'
import { CampaignsPanel } from './components/CampaignsPanel'
import { CategoriesPanel } from './components/CategoriesPanel'
import { ContactForm } from './components/ContactForm'
import { ContactsPanel } from './components/ContactsPanel'
import { LiveIndicator } from './components/LiveIndicator'
import { MessagesPanel } from './components/MessagesPanel'
import { MonitoringPanel } from './components/MonitoringPanel'
import { StatsCards } from './components/StatsCards'
import { TokenPrompt } from './components/TokenPrompt'
import { AnswersPage } from './pages/AnswersPage'
import { ContactsPage } from './pages/ContactsPage'
import type { LiveStreamOptions } from './api'
import { LiveStateContext, useLiveStream } from './hooks/useLiveStream'

/** The dashboard page: every view, laid out in a grid, kept up to date by the one live stream. */
export function App({ live }: { live?: LiveStreamOptions } = {}) {
  const [selectedCategory, setSelectedCategory] = useState<number | null>(null)
  const liveState = useLiveStream(live)
  return (
    <LiveStateContext.Provider value={liveState}>
      <div className="app">
        <header className="topbar">
          <h1>
            <span className="logo" aria-hidden="true">◆</span> Campaign dashboard
          </h1>
          <div className="topbar-right">
            <span className="topbar-note">WhatsApp campaigns</span>
            <LiveIndicator state={liveState} />
          </div>
        </header>
        <main className="layout">
          {PAGES[window.location.pathname] ?? <Overview selected={selectedCategory} onSelect={setSelectedCategory} />}
        </main>
        <TokenPrompt />
      </div>
    </LiveStateContext.Provider>
  )
}

// Interim, until the router of branch `pages` replaces it (it routes /contacts and /answers to these pages):
// the page for the address the app was opened at. The Flask app of this branch serves / only.
const PAGES: Record<string, ReactNode> = { '/contacts': <ContactsPage />, '/answers': <AnswersPage /> }

/** The overview: every view of the dashboard's first page. */
function Overview({ selected, onSelect }: { selected: number | null; onSelect: (id: number | null) => void }) {
  return (
    <>
      <StatsCards />
      <div className="grid grid-main">
        <div className="column">
          <ContactForm />
          <CategoriesPanel selectedId={selected} onSelect={onSelect} />
        </div>
        <ContactsPanel />
      </div>
      <CampaignsPanel />
      <div className="grid grid-monitoring">
        <MonitoringPanel />
        <CacheMetrics />
      </div>
      <MessagesPanel />
    </>
  )
}
