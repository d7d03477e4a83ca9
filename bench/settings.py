"""The production settings, plus the ceiling endpoint of bench/urls.py: mounted only here."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
