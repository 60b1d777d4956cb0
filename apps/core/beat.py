"""Exactly one Celery beat sends the periodic tasks, however many are started.

Each beat's scheduler takes a lock in the broker's Redis before it sends anything, and renews it while it
runs; a beat that does not hold the lock sends nothing and checks again every few seconds, so a second
beat started by mistake (or a standby on another host) does nothing until the first one stops or dies and
its lock expires (BEAT_LOCK_SECONDS).
"""

import os
import socket
import uuid

from celery.beat import PersistentScheduler
from django.conf import settings

RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) "
    "else return redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) end"
)


class LockedScheduler(PersistentScheduler):
    def __init__(self, *args, **kwargs):
        self.lock_token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lock_seconds = settings.BEAT_LOCK_SECONDS
        self.lock_key = f"satwb:beat-lock:{settings.CELERY_TASK_DEFAULT_QUEUE}"
        self._redis = None
        super().__init__(*args, **kwargs)

    def lock_hold(self) -> bool:
        """Take the lock, or renew it when this beat holds it already; False while another beat does."""
        url = settings.CELERY_BROKER_URL
        if not url.startswith(("redis://", "rediss://")):
            return True  # the embedded mode runs no beat; another broker: one beat by deployment
        import redis

        if self._redis is None:
            self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        try:
            return bool(self._redis.eval(RENEW, 1, self.lock_key, self.lock_token, int(self.lock_seconds * 1000)))
        except redis.RedisError:
            return False  # a beat that cannot reach Redis cannot know it is alone

    def tick(self, *args, **kwargs):
        # Checked and renewed at least three times per lease, so a live holder never loses it.
        if not self.lock_hold():
            return self.lock_seconds / 3
        return min(super().tick(*args, **kwargs), self.lock_seconds / 3)
