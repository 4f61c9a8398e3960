import { useExportContacts } from '../hooks/useContacts'
import { ErrorMessage } from './ErrorMessage'

/** Downloads the contacts as CSV: one category's when the list is filtered by one, else all of them. */
export function ExportButton({ categoryId }: { categoryId?: number }) {
  const exporter = useExportContacts()
  return (
    <>
      <button
        type="button"
        className="button-secondary"
        data-testid="export-contacts"
        disabled={exporter.pending}
        title={categoryId === undefined ? 'All contacts as CSV' : "This category's contacts as CSV"}
        onClick={() => void exporter.run(categoryId)}
      >
        {exporter.pending ? 'Exporting…' : 'Export CSV'}
      </button>
      {exporter.error && <ErrorMessage error={exporter.error} compact />}
    </>
  )
}
