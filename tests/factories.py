"""Test data through the services (as the API would write it), with unique values per call."""
import itertools

from chatbot.services import campaigns, categories, contacts

_seq = itertools.count(1)


def phone():
    """A unique valid US number: +1 415 2xx xxxx."""
    return f"+14152{next(_seq) % 1_000_000:06d}"


def category(name=None, description=None):
    """Create a category; returns its dict."""
    return categories.create_category({"name": name or f"Category {next(_seq)}", "description": description})


def contact(category_ids=(), name=None, number=None):
    """Create a contact; returns its dict."""
    return contacts.create_contact({"phone": number or phone(), "name": name or f"Contact {next(_seq)}",
                                    "category_ids": list(category_ids)})


def campaign(category_ids, name=None, first=None, second=None):
    """Create a draft campaign; returns its dict."""
    return campaigns.create_campaign({
        "name": name or f"Campaign {next(_seq)}", "category_ids": list(category_ids),
        "first_message": first or {"text": "Hello! Reply to learn more."},
        "second_message": second or {"text": "Thanks for answering!"},
    })
