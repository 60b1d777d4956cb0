"""Speed overrides only; everything else comes from base.py and the environment."""

import os

# The suite runs with the development defaults whatever services it is given (pytest-django turns DEBUG off
# per test anyway); set before base.py reads it, and inherited by the processes the tests start.
os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Tasks run in-process unless a test starts a real worker (tests/integration flip this off).
CELERY_TASK_ALWAYS_EAGER = True
# Each test process keeps its own rate-limit counters: a Redis cache beside the broker would mix the parallel
# workers' counters (and a test's cache.clear() would empty everyone's).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
