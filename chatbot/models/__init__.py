"""The data model; imports only the extensions."""
from chatbot.models.cache_invalidation import CacheInvalidation
from chatbot.models.campaign import CAMPAIGN_STATUSES, COUNTER_COLUMNS, Campaign, campaign_categories
from chatbot.models.category import Category, contact_categories
from chatbot.models.contact import Contact
from chatbot.models.early_status import EarlyStatus
from chatbot.models.message import AWAITING_ANSWER, MESSAGE_STATUSES, STATUS_RANK, STEPS, Interaction, Message

__all__ = ["CacheInvalidation", "Campaign", "Category", "Contact", "EarlyStatus", "Interaction", "Message",
           "campaign_categories", "contact_categories", "AWAITING_ANSWER", "CAMPAIGN_STATUSES", "COUNTER_COLUMNS",
           "MESSAGE_STATUSES", "STATUS_RANK", "STEPS"]
