"""A peer of bench/peers.py: the floor, a bare Flask view returning the JSON bytes it holds in memory.

The bodies are computed once at start (our services' compute functions, the same statements on the same data)
and encoded once; each request then costs only gunicorn, Werkzeug and Flask's routing: no Redis, no database, no
hook. Nothing that keeps data fresh can be cheaper. Started by bench/peers.py: `gunicorn bench.peers_floor:app`.
"""
import json
import os

from flask import Flask

from chatbot import clock
from chatbot.extensions import db
from chatbot.services.categories import compute_list
from chatbot.services.stats import compute_stats

app = Flask(__name__)
app.config.from_mapping(SQLALCHEMY_DATABASE_URI=os.environ["DATABASE_URL"])
db.init_app(app)
clock.init_app(app)
with app.app_context():
    BODIES = {name: json.dumps(compute(), separators=(",", ":"), sort_keys=True).encode()
              for name, compute in (("stats", compute_stats), ("categories", compute_list))}
    db.session.remove()
    db.engine.dispose()  # no connection inherited by anything


@app.route("/api/messages/stats")
def statistics():
    """The global statistics, from memory."""
    return BODIES["stats"], {"Content-Type": "application/json"}


@app.route("/api/categories")
def categories():
    """The category list with counts, from memory."""
    return BODIES["categories"], {"Content-Type": "application/json"}
