"""The CLI of the contract: `flask --app wsgi cache|stats|dispatch|webhooks|sweep|seed|contacts|users`."""
from chatbot.commands import cache, contacts, dispatch, seed, stats, sweep, users, webhooks


def init_app(app):
    """Add each group/command to `flask`."""
    app.cli.add_command(cache.cache_group)
    app.cli.add_command(stats.stats_group)
    app.cli.add_command(dispatch.dispatch_command)
    app.cli.add_command(webhooks.webhooks_group)
    app.cli.add_command(sweep.sweep_command)
    app.cli.add_command(seed.seed_group)
    app.cli.add_command(contacts.contacts_group)
    app.cli.add_command(users.users_group)
