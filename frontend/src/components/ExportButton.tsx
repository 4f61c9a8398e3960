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
        disabled={exporter.isPending}
        title={categoryId === undefined ? 'All contacts as CSV' : "This category's contacts as CSV"}
        onClick={() => exporter.mutate(categoryId)}
      >
        {exporter.isPending ? 'Exporting…' : 'Export CSV'}
      </button>
      {exporter.isError && <ErrorMessage error={exporter.error} compact />}
    </>
  )
}
