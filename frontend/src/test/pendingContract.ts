// What shared/CONTRACT.md ("Campaign operations") adds to the API that the OpenAPI snapshot
// (src/api/openapi.json) does not describe yet: the backend branches that build it regenerate the
// snapshot when they are merged. Until then the fake API's answers for these routes are checked
// against this description, written from the contract, so they cannot drift either. Each entry
// applies only while the snapshot lacks it: once the snapshot has a path or property, the snapshot wins.

type Json = Record<string, unknown>

const ref = (name: string) => ({ $ref: `#/components/responses/${name}` })
const json = (schema: Json, description: string) => ({ description, content: { 'application/json': { schema } } })

const SCHEMAS: Record<string, Json> = {
  PendingInteraction: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'contact_id', 'contact_name', 'campaign_id', 'kind', 'body', 'occurred_at'],
    properties: {
      id: { type: 'integer' },
      contact_id: { type: 'integer' },
      contact_name: { type: 'string' },
      campaign_id: { type: 'integer', nullable: true },
      kind: { type: 'string' },
      body: { type: 'string', nullable: true },
      occurred_at: { type: 'string', format: 'date-time' },
    },
  },
  PendingImportResult: {
    type: 'object',
    additionalProperties: false,
    required: ['created', 'updated', 'unchanged', 'rejected'],
    properties: {
      created: { type: 'integer' },
      updated: { type: 'integer' },
      unchanged: { type: 'integer' },
      rejected: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['line', 'phone', 'error'],
          properties: { line: { type: 'integer' }, phone: { type: 'string' }, error: { type: 'string' } },
        },
      },
    },
  },
}

const PATHS: Record<string, Json> = {
  '/api/interactions': {
    get: {
      responses: {
        200: json(
          {
            type: 'object',
            additionalProperties: false,
            required: ['items', 'next_cursor'],
            properties: {
              items: { type: 'array', items: { $ref: '#/components/schemas/PendingInteraction' } },
              next_cursor: { type: 'string', nullable: true },
            },
          },
          'A page of answers, newest first.',
        ),
        401: ref('401'),
        422: ref('422'),
      },
    },
  },
  '/api/contacts/import': {
    post: {
      responses: {
        200: json({ $ref: '#/components/schemas/PendingImportResult' }, 'What the import did.'),
        400: ref('400'),
        401: ref('401'),
        413: ref('413'),
      },
    },
  },
  '/api/contacts/export': {
    get: {
      responses: {
        200: { description: 'The contacts as CSV.', content: { 'text/csv': { schema: { type: 'string' } } } },
        401: ref('401'),
        404: ref('404'),
      },
    },
  },
}

/** Contact gains `opted_out_at`. */
const CONTACT_PROPERTIES: Json = { opted_out_at: { type: 'string', format: 'date-time', nullable: true } }

/** The snapshot with the contract's additions it lacks (a copy; the snapshot itself is left alone). */
export function withPendingContract<T extends { paths: Json; components: { schemas: Json } }>(snapshot: T): T {
  const document = structuredClone(snapshot)
  for (const [path, item] of Object.entries(PATHS)) document.paths[path] ??= item
  for (const [name, schema] of Object.entries(SCHEMAS)) document.components.schemas[name] ??= schema
  const contact = document.components.schemas.ContactOut as { properties: Json }
  for (const [name, schema] of Object.entries(CONTACT_PROPERTIES)) contact.properties[name] ??= schema
  return document
}
