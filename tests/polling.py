"""Waiting for another thread or process: poll with a deadline, never a fixed sleep."""
import time


def wait_for(predicate, timeout, what, interval=0.01):
    """Poll `predicate` until true; fail after `timeout` seconds, naming `what` was awaited."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what} ({timeout} s)")
        time.sleep(interval)
