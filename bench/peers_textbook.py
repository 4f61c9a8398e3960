"""A peer of bench/peers.py: the textbook cached view, as Flask-Caching's documentation shows it.

`Cache(config={"CACHE_TYPE": "RedisCache", ...})` and `@cache.cached(timeout=60)` under `@app.route`: the view's
return value is pickled into Redis under `view/<path>` and served from there for 60 s, with no invalidation (a
write shows after up to 60 s), no degraded mode (Redis down is an error logged and the view run every time),
no auth and no other hook. It computes the same statements as our app on the same data (our services' compute
functions, run on this app's own Flask-SQLAlchemy binding); only the key prefix is ours (`cache:peers:`), so that it
writes nowhere else in the shared Redis. Started by bench/peers.py: `gunicorn bench.peers_textbook:app`.
"""
import os

from flask import Flask
from flask_caching import Cache

from chatbot import clock
from chatbot.extensions import db
from chatbot.services.categories import compute_list
from chatbot.services.stats import compute_stats

app = Flask(__name__)
app.config.from_mapping(SQLALCHEMY_DATABASE_URI=os.environ["DATABASE_URL"])
cache = Cache(config={"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": os.environ["REDIS_URL"],
                      "CACHE_KEY_PREFIX": "cache:peers:textbook:"})
cache.init_app(app)
db.init_app(app)
clock.init_app(app)


@app.route("/api/messages/stats")
@cache.cached(timeout=60)
def statistics():
    """The global statistics, cached 60 s."""
    return compute_stats()


@app.route("/api/categories")
@cache.cached(timeout=60)
def categories():
    """The category list with counts, cached 60 s."""
    return compute_list()
