"""Shared models without domain meaning."""

from __future__ import annotations

from django.db import models


class RateLimitWindow(models.Model):
    """How often one (hashed) key was used in one fixed time window.

    Lives in the database so the limit holds across processes and on every deployment (the
    local-memory cache is per process). The key is a hash: no IP address or username is stored.
    """

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"], name="ratelimit_one_row_per_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"], name="ratelimit_window_idx")]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.window_start:%Y-%m-%d %H:%M} ({self.hits})"
