import { useState } from 'react'
import { CacheMetrics } from './components/CacheMetrics'
import { CampaignsPanel } from './components/CampaignsPanel'
import { CategoriesPanel } from './components/CategoriesPanel'
import { ContactForm } from './components/ContactForm'
import { ContactsPanel } from './components/ContactsPanel'
import { MessagesPanel } from './components/MessagesPanel'
import { MonitoringPanel } from './components/MonitoringPanel'
import { StatsCards } from './components/StatsCards'
import { TokenPrompt } from './components/TokenPrompt'

/** The dashboard page: every view, laid out in a grid. */
export function App() {
  const [selectedCategory, setSelectedCategory] = useState<number | null>(null)
  return (
    <div className="app">
      <header className="topbar">
        <h1>
          <span className="logo" aria-hidden="true">◆</span> Campaign dashboard
        </h1>
        <span className="topbar-note">WhatsApp campaigns</span>
      </header>
      <main className="layout">
        <StatsCards />
        <div className="grid grid-main">
          <div className="column">
            <ContactForm />
            <CategoriesPanel selectedId={selectedCategory} onSelect={setSelectedCategory} />
          </div>
          <ContactsPanel />
        </div>
        <CampaignsPanel />
        <div className="grid grid-monitoring">
          <MonitoringPanel />
          <CacheMetrics />
        </div>
        <MessagesPanel />
      </main>
      <TokenPrompt />
    </div>
  )
}
