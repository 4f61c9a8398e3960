import { useState } from 'react'
import { CacheMetrics } from '../components/CacheMetrics'
import { CampaignsPanel } from '../components/CampaignsPanel'
import { CategoriesPanel } from '../components/CategoriesPanel'
import { ContactForm } from '../components/ContactForm'
import { ContactsPanel } from '../components/ContactsPanel'
import { MessagesPanel } from '../components/MessagesPanel'
import { MonitoringPanel } from '../components/MonitoringPanel'
import { StatsCards } from '../components/StatsCards'

/** `/`: every view of the contract's "Dashboard" section, in a grid. */
export function OverviewPage() {
  const [selectedCategory, setSelectedCategory] = useState<number | null>(null)
  return (
    <>
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
    </>
  )
}
