import { useEffect, useState } from 'react'
import type { FormEvent } from 'react'
import { ApiError } from '../api'
import type { ImportResult, UploadProgress } from '../api'
import { useImportContacts } from '../hooks/useContacts'
import { useCan } from '../hooks/useSession'

/** The rejected lines listed on screen; a file with more says how many it left out (the counts stay whole). */
export const REJECTED_SHOWN = 200

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 1)} MB`

/** A failed import in the operator's words: what went wrong, then what the server said. */
function ImportError({ error }: { error: Error }) {
  const status = error instanceof ApiError ? error.status : null
  const headline =
    status === 413
      ? 'This file is too large for the server. Split it into smaller files and import them one by one.'
      : status === 400
        ? 'This file is not a CSV with the columns phone, name, categories.'
        : 'The import failed.'
  return (
    <div className="error" role="alert" data-testid="import-error">
      <strong>{headline}</strong>
      <div className="small">{error.message}</div>
    </div>
  )
}

/** Bytes sent while uploading; then "processing" until the server answers (a large file takes a while). */
function Progress({ progress }: { progress: UploadProgress }) {
  const total = progress.total ?? 0
  const share = total > 0 ? Math.min(100, Math.round((progress.loaded / total) * 100)) : null
  const sent = total > 0 && progress.loaded >= total
  return (
    <div className="import-progress" role="status">
      <progress data-testid="import-progress" max={100} value={share ?? undefined} />
      <span className="muted small">
        {sent
          ? 'Uploaded; the server is importing the rows…'
          : `Uploading… ${share ?? 0}%${total ? ` of ${megabytes(total)}` : ''}`}
      </span>
    </div>
  )
}

/** The counts of an import and the lines it refused, with their reason. */
function Result({ result }: { result: ImportResult }) {
  const counts: Array<[string, string, number]> = [
    ['created', 'created', result.created],
    ['updated', 'updated', result.updated],
    ['unchanged', 'unchanged', result.unchanged],
    ['rejected', 'rejected', result.rejected.length],
  ]
  const shown = result.rejected.slice(0, REJECTED_SHOWN)
  return (
    <div className="import-result" data-testid="import-result">
      <ul className="import-counts">
        {counts.map(([key, label, value]) => (
          <li key={key} className={key === 'rejected' && value > 0 ? 'is-bad' : undefined}>
            <b data-testid={`import-${key}`}>{value}</b> {label}
          </li>
        ))}
      </ul>
      {shown.length > 0 && (
        <div className="table-scroll import-rejected">
          <table className="table">
            <thead>
              <tr>
                <th className="num">Line</th>
                <th>Phone</th>
                <th>Why it was rejected</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => (
                <tr key={row.line} data-testid="rejected-row">
                  <td className="num">{row.line}</td>
                  <td className="mono">{row.phone || '—'}</td>
                  <td>{row.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {result.rejected.length > shown.length && (
            <p className="muted small">
              The first {shown.length} of {result.rejected.length} rejected lines; fix them and import the file again.
            </p>
          )}
        </div>
      )}
    </div>
  )
}

/** Choose a CSV, upload it with its progress, then read what was created, updated, unchanged and rejected. */
export function ImportDialog({ onClose }: { onClose: () => void }) {
  const importer = useImportContacts()
  const [file, setFile] = useState<File | null>(null)

  useEffect(() => {
    const closeOnEscape = (event: KeyboardEvent) => event.key === 'Escape' && !importer.isPending && onClose()
    window.addEventListener('keydown', closeOnEscape)
    return () => window.removeEventListener('keydown', closeOnEscape)
  }, [importer.isPending, onClose])

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    if (file) importer.mutate(file)
  }

  return (
    <div className="overlay">
      <div className="dialog dialog-wide stack" role="dialog" aria-modal="true" aria-labelledby="import-title" data-testid="import-dialog">
        <h2 id="import-title">Import contacts</h2>
        <p className="muted">
          A CSV file with a header row <code>phone,name,categories</code> (<code>,</code> or <code>;</code> between
          columns; categories separated by <code>;</code> and created when missing). A phone already known gets the
          file's name and its categories added.
        </p>
        <form className="row" onSubmit={submit}>
          <input
            type="file"
            accept=".csv,text/csv"
            data-testid="import-file"
            aria-label="CSV file"
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null)
              importer.reset()
            }}
          />
          <button type="submit" data-testid="import-submit" disabled={!file || importer.isPending}>
            {importer.isPending ? 'Importing…' : 'Import'}
          </button>
        </form>
        {importer.isPending && importer.progress && <Progress progress={importer.progress} />}
        {importer.isError && <ImportError error={importer.error} />}
        {importer.isSuccess && <Result result={importer.data} />}
        <div className="row row-end">
          <button type="button" className="button-secondary" onClick={onClose} disabled={importer.isPending}>
            {importer.isSuccess ? 'Done' : 'Close'}
          </button>
        </div>
      </div>
    </div>
  )
}

/** The button that opens the import dialog, for those who may import. */
export function ImportButton() {
  const [open, setOpen] = useState(false)
  if (!useCan()('contacts.import')) return null
  return (
    <>
      <button type="button" className="button-secondary" data-testid="import-open" onClick={() => setOpen(true)}>
        Import CSV
      </button>
      {open && <ImportDialog onClose={() => setOpen(false)} />}
    </>
  )
}
