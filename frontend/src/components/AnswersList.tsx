// Placeholder: the answers list (GET /api/interactions) is built on another branch; this file is replaced there.
export function AnswersList({ campaignId, contactId }: { campaignId?: number; contactId?: number }) {
  return (
    <p className="empty" data-campaign-id={campaignId} data-contact-id={contactId}>
      Answers will be listed here.
    </p>
  )
}
