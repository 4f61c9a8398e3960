"""At most one event set per 250 ms per dashboard, the union of what changed; nothing when nothing changed."""
from chatbot.clock import FrozenClock
from chatbot.live.stream import Coalescer


def test_the_first_set_leaves_at_once_and_the_next_ones_merge_until_the_window_ends():
    clock = FrozenClock()
    coalescer = Coalescer(clock, window=0.25)
    assert coalescer.take() is None and coalescer.wait() is None  # nothing changed: nothing leaves
    coalescer.add(1, {"message.status": {"campaign_ids": [1]}})
    assert coalescer.take() == (1, {"message.status": {"campaign_ids": [1]}})
    coalescer.add(2, {"message.status": {"campaign_ids": [2]}})
    coalescer.add(3, {"message.status": {"campaign_ids": [1]}, "stats.x": {}})
    clock.advance(seconds=0.2)
    assert coalescer.take() is None and abs(coalescer.wait() - 0.05) < 1e-9
    clock.advance(seconds=0.05)
    assert coalescer.take() == (3, {"message.status": {"campaign_ids": [1, 2]}, "stats.x": {}})
    assert coalescer.take() is None


def test_a_burst_of_eighty_sets_a_second_leaves_as_four():
    clock = FrozenClock()
    coalescer = Coalescer(clock, window=0.25)
    sent = []
    for n in range(80):  # a dispatch at 80 messages/s: one event set every 12.5 ms for a second
        coalescer.add(n, {"message.sent": {"campaign_ids": [n % 3]}})
        taken = coalescer.take()
        if taken:
            sent.append(taken)
        clock.advance(seconds=1 / 80)
    assert len(sent) == 4
    assert set().union(*(set(s[1]["message.sent"]["campaign_ids"]) for s in sent)) | {
        *coalescer.pending.get("message.sent", {}).get("campaign_ids", [])} == {0, 1, 2}
