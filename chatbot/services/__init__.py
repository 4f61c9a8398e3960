"""The resources' rules: categories, contacts, campaigns (CRUD and launch), and the reads of messages and stats.

Views call one function here; every write goes through `chatbot.unit_of_work` and declares its events
(`chatbot/events.py`). The messaging pipeline is `chatbot.messaging`, the demo seeder `chatbot.seed`.
"""
