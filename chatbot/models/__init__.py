"""The data model; imports only the extensions."""
from chatbot.models.cache_invalidation import CacheInvalidation
from chatbot.models.campaign import CAMPAIGN_STATUSES, COUNTER_COLUMNS, Campaign, campaign_categories
from chatbot.models.category import Category, contact_categories
from chatbot.models.contact import Contact
from chatbot.models.counts import CategoryCount, StatCount
from chatbot.models.early_status import EarlyStatus
from chatbot.models.message import AWAITING_ANSWER, MESSAGE_STATUSES, STATUS_RANK, STEPS, Interaction, Message
from chatbot.models.user import ROLES, ApiToken, AuditEntry, User, UserSession
from chatbot.models.webhook_intake import WebhookIntake

__all__ = ["ApiToken", "AuditEntry", "CacheInvalidation", "Campaign", "Category", "CategoryCount", "Contact",
           "EarlyStatus", "Interaction", "Message", "StatCount", "User", "UserSession", "WebhookIntake",
           "campaign_categories", "contact_categories", "AWAITING_ANSWER", "CAMPAIGN_STATUSES", "COUNTER_COLUMNS",
           "MESSAGE_STATUSES", "ROLES", "STATUS_RANK", "STEPS"]
