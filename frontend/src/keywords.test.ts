import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { OPT_IN_KEYWORDS, OPT_OUT_KEYWORDS, keywordOf } from './keywords'

/** The default of a list setting in chatbot/config.py, e.g. "OPT_OUT_KEYWORDS": as_list(..., "STOP,..."). */
function backendDefault(setting: string): string[] {
  const source = readFileSync(resolve(__dirname, '../../chatbot/config.py'), 'utf8')
  const match = source.match(new RegExp(`"${setting}": as_list\\([^,]+\\), "([^"]*)"\\)`))
  if (!match) throw new Error(`${setting} not found in chatbot/config.py`)
  return match[1].split(',')
}

describe('opt-out keywords', () => {
  it("are the backend's defaults", () => {
    expect(OPT_OUT_KEYWORDS).toEqual(backendDefault('OPT_OUT_KEYWORDS'))
    expect(OPT_IN_KEYWORDS).toEqual(backendDefault('OPT_IN_KEYWORDS'))
  })

  it('tag a whole answer, trimmed, in any case, accents ignored', () => {
    expect(keywordOf('  stop ')).toBe('opt-out')
    expect(keywordOf('Arrêt')).toBe('opt-out')
    expect(keywordOf('arret')).toBe('opt-out')
    expect(keywordOf('Start')).toBe('opt-in')
  })

  it('leave any other answer untagged', () => {
    expect(keywordOf('please stop')).toBeNull()
    expect(keywordOf('Yes')).toBeNull()
    expect(keywordOf(null)).toBeNull()
  })
})
