import { Ajv } from 'ajv'
import type { ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import spec from '../api/openapi.json'

// Checks an answer against the OpenAPI snapshot (src/api/openapi.json, copied from the backend by
// scripts/openapi_snapshot.py): the fake API's every reply goes through here, so it cannot drift
// from what the real API describes. OpenAPI 3.0 schemas are almost JSON Schema; the differences
// handled here: `nullable: true` (null is allowed too), `example` (an annotation), and references
// into `#/components/...`.

type Json = Record<string, unknown>
type Description = { paths: Record<string, Json>; components: { schemas: Json; responses: Json } }
const document = spec as unknown as Description
const SCHEMAS_ID = 'openapi-components'

/** One OpenAPI 3.0 schema as JSON Schema (draft 7, as Ajv reads it). */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema)
  if (!node || typeof node !== 'object') return node
  const { nullable, ...rest } = node as Json
  const converted: Json = {}
  for (const [key, value] of Object.entries(rest)) {
    converted[key] =
      key === '$ref' && typeof value === 'string'
        ? value.replace('#/components/schemas/', `${SCHEMAS_ID}#/definitions/`)
        : key === 'properties'
          ? Object.fromEntries(Object.entries(value as Json).map(([name, schema]) => [name, toJsonSchema(schema)]))
          : toJsonSchema(value)
  }
  return nullable === true ? { anyOf: [converted, { type: 'null' }] } : converted
}

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false })
addFormats(ajv)
ajv.addKeyword('example')
ajv.addSchema({ $id: SCHEMAS_ID, definitions: toJsonSchema(document.components.schemas) })

/** Path templates, literal ones first, so /api/messages/stats is not read as /api/messages/{message_id}. */
const TEMPLATES = Object.keys(document.paths)
  .sort((a, b) => a.split('{').length - b.split('{').length)
  .map((template) => ({ template, pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`) }))

/** The response object the description gives for this operation and status, its `$ref` followed. */
function describedResponse(method: string, path: string, status: number): Json | string {
  const match = TEMPLATES.find(({ pattern }) => pattern.test(path))
  if (!match) return `${method} ${path}: no such path in the OpenAPI description`
  const operation = document.paths[match.template][method.toLowerCase()] as { responses: Json } | undefined
  if (!operation) return `${method} ${match.template}: no such operation in the OpenAPI description`
  let response = (operation.responses[String(status)] ?? operation.responses.default) as Json | undefined
  if (!response) return `${method} ${match.template}: no ${status} answer in the OpenAPI description`
  if (typeof response.$ref === 'string') {
    response = document.components.responses[response.$ref.replace('#/components/responses/', '')] as Json
  }
  return response
}

const compiled = new Map<unknown, ValidateFunction>()

/**
 * What is wrong with this answer according to the description (an empty list when nothing is).
 * `body` is the parsed JSON, or undefined when the answer has no body.
 */
export function problemsWith(method: string, path: string, status: number, body: unknown): string[] {
  const response = describedResponse(method, path, status)
  if (typeof response === 'string') return [response]
  const where = `${method} ${path} ${status}`
  const schema = (response.content as Json | undefined)?.['application/json'] as Json | undefined
  if (!schema) return body === undefined ? [] : [`${where}: the description has no JSON body for it`]
  if (body === undefined) return [`${where}: the description has a JSON body, the answer none`]
  if (!compiled.has(schema.schema)) compiled.set(schema.schema, ajv.compile(toJsonSchema(schema.schema) as Json))
  const validate = compiled.get(schema.schema)!
  return validate(body) ? [] : [`${where}: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}`]
}
