import { ApiError, noteRefusal, sessionHeaders, toApiError } from './http'
import type { ImportResult } from './types'

// The contact import's upload. fetch() reports no upload progress, so this one call uses XMLHttpRequest,
// whose `upload.onprogress` does; it sends the same headers as every other call (http.ts: the session
// cookie, which a same-origin XMLHttpRequest sends by itself, and the CSRF token; a 401 ends the session)
// and turns an error answer into the same ApiError.

/** Bytes sent so far, of how many (null when the browser cannot tell). */
export interface UploadProgress {
  loaded: number
  total: number | null
}

export interface UploadOptions {
  onProgress?: (progress: UploadProgress) => void
  signal?: AbortSignal
}

export const IMPORT_PATH = '/api/contacts/import'

/** Posts a CSV file as a `text/csv` body to POST /api/contacts/import and resolves with what the import did. */
export function uploadContactsCsv(file: Blob, { onProgress, signal }: UploadOptions = {}): Promise<ImportResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    const headers = sessionHeaders('POST')
    xhr.open('POST', IMPORT_PATH)
    Object.entries({ ...headers, 'Content-Type': 'text/csv' }).forEach(([name, value]) => xhr.setRequestHeader(name, value))
    xhr.upload.onprogress = (event) => onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : null })
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve(JSON.parse(xhr.responseText) as ImportResult)
      noteRefusal(xhr.status, IMPORT_PATH)
      const retryAfter = xhr.getResponseHeader('Retry-After')
      const answer = new Response(xhr.responseText || null, {
        status: xhr.status,
        statusText: xhr.statusText,
        headers: retryAfter ? { 'Retry-After': retryAfter } : {},
      })
      toApiError(answer).then(reject, reject)
    }
    // A server refusing a too large body may close the connection before the upload ends: the browser
    // then reports a network error, not the 413, so the message names that likely cause.
    xhr.onerror = () =>
      reject(new ApiError(0, 'network_error', 'The upload was cut off before the server answered (is the file too large?).'))
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'))
    signal?.addEventListener('abort', () => xhr.abort(), { once: true })
    xhr.send(file)
  })
}
