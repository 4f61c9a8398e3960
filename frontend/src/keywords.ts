// The answers that change a contact's opt-out, to tag them in the answers inbox. The server decides with
// its settings OPT_OUT_KEYWORDS / OPT_IN_KEYWORDS (chatbot/config.py), which the API does not publish:
// these are their defaults (keywords.test.ts checks them against config.py), so a deployment that changes
// them may see an opt-out untagged here, never a contact's real state wrong (that is opted_out_at).

export const OPT_OUT_KEYWORDS = ['STOP', 'STOPP', 'UNSUBSCRIBE', 'ARRET', 'ARRÊT', 'BAJA', 'PARAR']
export const OPT_IN_KEYWORDS = ['START']

/** Trimmed, upper case, accents removed: the server's comparison. */
const normalise = (text: string) => text.trim().normalize('NFD').replace(/\p{Diacritic}/gu, '').toUpperCase()

const OUT = new Set(OPT_OUT_KEYWORDS.map(normalise))
const IN = new Set(OPT_IN_KEYWORDS.map(normalise))

/** 'opt-out' or 'opt-in' when the whole answer is such a keyword, else null. */
export function keywordOf(body: string | null): 'opt-out' | 'opt-in' | null {
  if (!body) return null
  const word = normalise(body)
  return OUT.has(word) ? 'opt-out' : IN.has(word) ? 'opt-in' : null
}
