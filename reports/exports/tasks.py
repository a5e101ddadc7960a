"""Celery tasks of the exports."""

from __future__ import annotations
