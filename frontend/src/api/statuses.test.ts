import { describe, expect, it } from 'vitest'
import spec from './openapi.json'
import { CAMPAIGN_STATUSES, MESSAGE_STATUSES } from './statuses'

// The dashboard's status sets are the API's: checked against the OpenAPI snapshot, which
// tests/openapi/test_snapshot.py keeps equal to what the backend serves.

type Schema = { enum?: unknown[]; properties?: Record<string, Schema>; required?: string[] }
const schemas = spec.components.schemas as unknown as Record<string, Schema>

/** The statuses a counts object breaks its total into (its properties but `total`). */
const countedStatuses = (name: string) => Object.keys(schemas[name].properties ?? {}).filter((key) => key !== 'total')

describe('the status constants', () => {
  it("are the message statuses of the API, in the API's order", () => {
    expect(schemas.MessageRow.properties!.status.enum).toEqual([...MESSAGE_STATUSES])
    expect(schemas.MessageDetail.properties!.status.enum).toEqual([...MESSAGE_STATUSES])
    const filter = spec.paths['/api/messages'].get.parameters.find((parameter) => parameter.name === 'status')
    expect((filter?.schema as Schema | undefined)?.enum).toEqual([...MESSAGE_STATUSES])
    expect(countedStatuses('MessageCounts').sort()).toEqual([...MESSAGE_STATUSES].sort())
  })

  it('are the campaign statuses of the API', () => {
    expect(countedStatuses('CampaignCounts').sort()).toEqual([...CAMPAIGN_STATUSES].sort())
    // The campaign's own status field, once the description gives it an enum.
    const own = schemas.CampaignOut.properties?.status?.enum
    if (own) expect(own).toEqual([...CAMPAIGN_STATUSES])
  })
})
