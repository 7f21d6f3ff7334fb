"""Conversions between protobuf Timestamps and timezone-aware datetimes."""

from __future__ import annotations

import datetime
from typing import Optional

from google.protobuf import timestamp_pb2


def to_datetime(timestamp: timestamp_pb2.Timestamp) -> Optional[datetime.datetime]:
    """A UTC datetime, or None for an unset (zero) timestamp."""
    if timestamp.seconds == 0 and timestamp.nanos == 0:
        return None
    return datetime.datetime.fromtimestamp(timestamp.seconds + timestamp.nanos / 1e9, tz=datetime.timezone.utc)


def to_timestamp(when: Optional[datetime.datetime] = None) -> timestamp_pb2.Timestamp:
    """A Timestamp of ``when`` (naive datetimes are taken as UTC), or of now."""
    if when is None:
        when = datetime.datetime.now(datetime.timezone.utc)
    elif when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    timestamp = timestamp_pb2.Timestamp()
    timestamp.FromDatetime(when.astimezone(datetime.timezone.utc).replace(tzinfo=None))
    return timestamp
