"""Reads of a user's in-app notices."""

from __future__ import annotations

from django.db.models import QuerySet

from notifications.models import Notification
from users.models import User


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's own notices, newest first (nobody reads another person's inbox)."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
