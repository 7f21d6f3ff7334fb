"""Renews a try's certificate in the background, on the server's schedule.

Each certificate is renewed at a fraction of the lifetime it had when issued (two thirds by
default, give or take 5 % at random, so supervisors do not renew in step). The lifetime is measured
on the server's clock (``issued_at`` to ``not_after``) and the time since on this process's
monotonic clock, so a skewed wall clock does not make renewal late. Failures are retried with
backoff that never waits past expiry; a refusal that means the try is over stops renewal for good.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
from typing import Callable, List, Optional

from taskcert import credentials as credentials_module
from taskcert.channel import RotatingChannel
from taskcert.credentials import TaskCredentials
from taskcert.errors import TRY_ENDED, TaskcertError

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class RenewalPolicy:
    """Renew at ``fraction`` ± ``jitter`` of the lifetime; retry from ``initial_backoff`` to ``max_backoff`` seconds."""

    fraction: float = 2.0 / 3.0
    jitter: float = 0.05
    initial_backoff: float = 0.2
    max_backoff: float = 30.0

    def __post_init__(self) -> None:
        if not (0 < self.fraction < 1 and 0 <= self.jitter < min(self.fraction, 1 - self.fraction)):
            raise ValueError("renewal fraction must be in (0, 1) with a smaller jitter")
        if not (0 < self.initial_backoff <= self.max_backoff):
            raise ValueError("backoff must be positive and max_backoff >= initial_backoff")


class RenewalListener:
    """Hears about renewals; override what you need (every method is a no-op here)."""

    def on_renewed(self, credentials: TaskCredentials) -> None:
        """New credentials are in force (new calls already present them)."""

    def on_renewal_failed(self, error: TaskcertError, expires_in: float) -> None:
        """An attempt failed; the certificate in force expires in ``expires_in`` seconds. Retried."""

    def on_try_ended(self, error: TaskcertError) -> None:
        """The try ended, was superseded, or its certificate was refused: renewal stopped for good."""


class CredentialRotator:
    """The renewal thread of one session."""

    def __init__(self, initial: TaskCredentials, channel: RotatingChannel, timeout: float,
                 policy: RenewalPolicy = RenewalPolicy(), rng: Optional[random.Random] = None) -> None:
        self._channel = channel
        self._timeout = timeout
        self._policy = policy
        self._random = rng or random.SystemRandom()
        self._current = initial
        self._listeners: List[RenewalListener] = []
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._ended: Optional[TaskcertError] = None
        self._renewals = 0
        self._thread = threading.Thread(target=self._run, name="taskcert-renewal", daemon=True)

    def add_listener(self, listener: RenewalListener) -> None:
        """Adds a listener; it hears events from the renewal thread (or from ``renew_now``'s caller)."""
        self._listeners.append(listener)

    @property
    def current(self) -> TaskCredentials:
        """The credentials in force now."""
        return self._current

    @property
    def renewals(self) -> int:
        """How many renewals have succeeded."""
        return self._renewals

    @property
    def ended(self) -> Optional[TaskcertError]:
        """Why renewal stopped for good, or None while it goes on."""
        return self._ended

    def start(self) -> None:
        """Starts the renewal thread (a daemon)."""
        self._thread.start()

    def renewal_delay(self) -> float:
        """Seconds from now until the current certificate is due for renewal."""
        share = self._policy.fraction + (self._random.random() * 2 - 1) * self._policy.jitter
        elapsed = time.monotonic() - self._current.received_at
        return max(0.0, self._current.lifetime_seconds() * share - elapsed)

    def _expires_in(self) -> float:
        return self._current.lifetime_seconds() - (time.monotonic() - self._current.received_at)

    def renew_now(self) -> TaskCredentials:
        """Renews at once, on the calling thread, and returns the new credentials.

        A supervisor that forks its task after opening the session calls this right after the fork,
        so the session moves to a key the task's copy of memory never held. Raises the
        :class:`taskcert.errors.TaskcertError` the server answered; one that ends the try also stops
        the background renewal, as there.
        """
        with self._lock:
            try:
                with self._channel.lease() as generation:
                    renewed = credentials_module.renew(generation.channel, self._timeout)
            except TRY_ENDED as error:
                self._end(error)
                raise
            self._install(renewed)
        self._wake.set()  # the background thread reschedules from the new certificate
        return renewed

    def _end(self, error: TaskcertError) -> None:
        if self._ended is not None:
            return
        log.info("certificate renewal stopped: %s", error)
        self._ended = error
        self._stop.set()
        self._notify(lambda listener: listener.on_try_ended(error))

    def _install(self, renewed: TaskCredentials) -> None:
        self._channel.rotate(renewed)
        self._current = renewed
        self._renewals += 1
        log.debug("renewed %s: serial %s valid until %s", renewed.spiffe_id, renewed.serial_hex, renewed.not_after)
        self._notify(lambda listener: listener.on_renewed(renewed))

    def _sleep(self, delay: float) -> bool:
        """Waits ``delay`` seconds; False when renewal must stop, True when it is time to renew."""
        while True:
            woken = self._wake.wait(delay)
            if self._stop.is_set():
                return False
            if not woken:
                return True
            self._wake.clear()  # renewed on request: wait from the new certificate
            delay = self.renewal_delay()

    def _run(self) -> None:
        delay = self.renewal_delay()
        backoff = self._policy.initial_backoff
        while self._sleep(delay):
            try:
                with self._lock, self._channel.lease() as generation:
                    if self._stop.is_set():
                        return
                    renewed = credentials_module.renew(generation.channel, self._timeout)
                    self._install(renewed)
            except TRY_ENDED as error:
                if not self._stop.is_set():
                    self._end(error)
                return
            except TaskcertError as error:
                if self._stop.is_set():
                    return
                left = self._expires_in()
                delay = backoff if left <= 0 else min(backoff, left / 2)
                backoff = min(backoff * 2, self._policy.max_backoff)
                log.warning("certificate renewal failed (%s); expires in %.1f s; retrying in %.1f s", error, left, delay)
                self._notify(lambda listener: listener.on_renewal_failed(error, left))
                continue
            except ValueError:
                return  # the session was closed while this attempt was starting
            backoff = self._policy.initial_backoff
            delay = self.renewal_delay()

    def _notify(self, event: Callable[[RenewalListener], None]) -> None:
        for listener in list(self._listeners):
            try:
                event(listener)
            except Exception:  # a listener's bug must not stop renewal
                log.exception("a renewal listener failed")

    def close(self) -> None:
        """Stops renewing; once this returns listeners hear nothing more."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(self._timeout + 1)
