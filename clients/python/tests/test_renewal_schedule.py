"""Renewal is timed from the server's issued_at and not_after, on the local monotonic clock."""

from __future__ import annotations

import datetime
import random
import time

import pytest

from taskcert.credentials import TaskCredentials, new_key
from taskcert.renewal import CredentialRotator, RenewalPolicy

LIFETIME = 30.0


def credentials(received_seconds_ago: float, server_clock_offset_hours: float) -> TaskCredentials:
    """A certificate of LIFETIME seconds issued by a server whose clock is off from this one's."""
    issued_at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=server_clock_offset_hours)
    return TaskCredentials(
        private_key=new_key(), certificate_chain_der=(), trust_bundle_der=(), spiffe_id="spiffe://test/ti/x",
        serial_hex="01", issued_at=issued_at, not_after=issued_at + datetime.timedelta(seconds=LIFETIME),
        received_at=time.monotonic() - received_seconds_ago)


@pytest.mark.parametrize("offset_hours", [-5.0, 0.0, 5.0])
def test_delay_is_a_jittered_fraction_of_the_lifetime_whatever_the_wall_clock(offset_hours: float) -> None:
    policy = RenewalPolicy()
    for seed in range(20):
        rotator = CredentialRotator(credentials(10.0, offset_hours), channel=None, timeout=1.0, policy=policy,
                                    rng=random.Random(seed))
        delay = rotator.renewal_delay()
        low = LIFETIME * (policy.fraction - policy.jitter) - 10.0
        high = LIFETIME * (policy.fraction + policy.jitter) - 10.0
        assert low - 0.5 <= delay <= high, (offset_hours, delay)


def test_an_overdue_certificate_renews_at_once() -> None:
    rotator = CredentialRotator(credentials(LIFETIME, 0.0), channel=None, timeout=1.0)
    assert rotator.renewal_delay() == 0.0


def test_the_policy_rejects_a_jitter_as_large_as_the_fraction() -> None:
    with pytest.raises(ValueError):
        RenewalPolicy(fraction=0.1, jitter=0.1)
    with pytest.raises(ValueError):
        RenewalPolicy(initial_backoff=2.0, max_backoff=1.0)
