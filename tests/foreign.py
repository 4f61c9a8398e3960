"""Keys of the other programs sharing our Redis: planted before each test, checked after it."""

FOREIGN = {
    "celery": ("list", [b"task-1", b"task-2"]),
    "celery-task-meta-4f6c1a": ("string", b'{"status": "SUCCESS"}'),
    "_kombu.binding.celery": ("set", {b"celery\x06\x16\x06\x16celery"}),
    "campaign:42:state": ("hash", {b"status": b"sending", b"owner": b"other-app"}),
    "campaign:stats": ("string", b"not ours"),
    "whatsapp:session:16315551181": ("string", b"other program"),
}


def plant(client):
    """(Re)create every foreign key with its known value."""
    pipe = client.pipeline()
    for name, (kind, value) in FOREIGN.items():
        pipe.delete(name)
        if kind == "list":
            pipe.rpush(name, *value)
        elif kind == "set":
            pipe.sadd(name, *value)
        elif kind == "hash":
            pipe.hset(name, mapping=value)
        else:
            pipe.set(name, value)
    pipe.execute()


def read(client, name, kind):
    """The current value of a foreign key, read by its type."""
    if kind == "list":
        return client.lrange(name, 0, -1)
    if kind == "set":
        return client.smembers(name)
    if kind == "hash":
        return client.hgetall(name)
    return client.get(name)


def assert_untouched(client):
    """Every foreign key still there, same type, same value, no TTL added."""
    for name, (kind, value) in FOREIGN.items():
        assert client.type(name).decode() == kind, f"{name} changed type or vanished"
        assert read(client, name, kind) == value, f"{name} changed"
        assert client.ttl(name) == -1, f"{name} got a TTL"
