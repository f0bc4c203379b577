"""Per-client request budgets for anonymous clients, shared by the API and the HTML pages.

DRF's SimpleRateThrottle keeps each client's recent request times in the default cache (shared by
all gunicorn workers, see CACHES); the same classes guard the HTML search and document pages
through the `throttle` decorator, so a client has one budget whichever face it uses. Rates come
from settings.THROTTLE_RATES on every request (DRF would read its own settings once, at import).
Logged-in staff (curators) are not throttled. Over budget: 429 with Retry-After, and a message
in the page's language (JSON `{"error"}` from the API, templates/429.html for pages).

A per-minute budget does not stop a few slow requests running at once, which is what holds
gunicorn's threads and the CPU. `expensive_slots_take` bounds that: at most EXPENSIVE_PER_CLIENT
expensive requests in flight per client address and EXPENSIVE_MAX over every worker of this
machine (archive/middleware.py decides which requests are expensive and when they end). The slots
are lock files: flock(2) is released by the kernel when a worker dies or is killed holding one,
so a slot is never lost, and the bound needs nothing shared beyond this machine, whose threads
and CPU it protects."""

import fcntl
import functools
import hashlib
import ipaddress
import math
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import exceptions, throttling
from rest_framework.response import Response


def client_ident(request) -> str:
    """Who one client is: the address django-axes counts (behind the trusted proxy, the entry it
    appended to X-Forwarded-For; DRF's default would trust the whole header, which the client
    writes), with an IPv6 address taken as its /64, the block one subscriber is usually given."""
    address = settings.AXES_CLIENT_IP_CALLABLE(request) or ""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


class ScopedThrottle(throttling.SimpleRateThrottle):
    """A budget of requests per client address for one scope of THROTTLE_RATES."""

    scope = "anon"

    def get_rate(self):
        return settings.THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_ident(request)

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AnonThrottle(ScopedThrottle):
    scope = "anon"


class SearchThrottle(ScopedThrottle):
    scope = "search"


class ConcordanceThrottle(ScopedThrottle):
    scope = "concordance"


class DocumentThrottle(ScopedThrottle):
    scope = "document"


class ExportThrottle(ScopedThrottle):
    scope = "export"


def retry_after(seconds: float | None) -> int:
    return max(1, math.ceil(seconds or 1))


def throttled_message(seconds: int) -> str:
    return _("请求过于频繁，请在 %(seconds)s 秒后再试。") % {"seconds": seconds}


def throttle(throttle_class: type[ScopedThrottle]):
    """Decorate a page view: over the client's budget for this scope, render the 429 page."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            limiter = throttle_class()
            if limiter.allow_request(request, None):
                return view(request, *args, **kwargs)
            seconds = retry_after(limiter.wait())
            response = render(request, "429.html", {"message": throttled_message(seconds)}, status=429)
            response["Retry-After"] = str(seconds)
            return response

        return wrapped

    return decorator


def exception_handler(exc, context):
    """DRF's handler, with a throttled request answered as `{"error": message}` like the API's other
    refusals, and Retry-After in whole seconds."""
    # Imported here: rest_framework.views reads DEFAULT_THROTTLE_CLASSES, which names this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, exceptions.Throttled):
        seconds = retry_after(exc.wait)
        return Response({"error": throttled_message(seconds)}, status=429, headers={"Retry-After": str(seconds)})
    return drf_exception_handler(exc, context)


# Concurrent expensive requests

# Client addresses share this many groups of lock files (a collision only makes two addresses
# share one client's slots), so that any number of addresses makes at most this many files.
CLIENT_BUCKETS = 4096


class Slot:
    """One held place in a SlotPool; release() gives it back (twice is harmless)."""

    def __init__(self, descriptor: int):
        self._descriptor: int | None = descriptor

    def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing the file drops its flock
            self._descriptor = None


class SlotPool:
    """At most `size` holders at once, over every thread and process on this machine.

    Each place is a file, held by whoever holds an exclusive flock on it. A flock belongs to the
    open file, not the process, so two threads of one worker exclude each other as two workers
    do; taking a place never waits."""

    def __init__(self, directory: Path, size: int):
        self.directory = directory
        self.size = size

    def take(self) -> Slot | None:
        """A free place, or None when all `size` are held."""
        if self.size <= 0:
            return None
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        first = random.randrange(self.size)  # spread the holders over the files
        for offset in range(self.size):
            descriptor = os.open(self.directory / str((first + offset) % self.size), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                continue
            except BaseException:
                os.close(descriptor)
                raise
            return Slot(descriptor)
        return None


def client_slots(ident: str) -> SlotPool:
    bucket = int.from_bytes(hashlib.blake2b(ident.encode(), digest_size=4).digest()) % CLIENT_BUCKETS
    return SlotPool(Path(settings.SLOTS_DIR) / "clients" / f"{bucket:03x}", settings.EXPENSIVE_PER_CLIENT)


def server_slots() -> SlotPool:
    return SlotPool(Path(settings.SLOTS_DIR) / "all", settings.EXPENSIVE_MAX)


@dataclass
class SlotTicket:
    """The places one expensive request holds (its client's and the server's), given back together."""

    slots: list[Slot] = field(default_factory=list)

    def release(self) -> None:
        while self.slots:
            self.slots.pop().release()


class Busy(Exception):
    """An expensive request refused at once, with its message and Retry-After."""

    def __init__(self, message: str, seconds: int):
        super().__init__(message)
        self.message = message
        self.seconds = seconds


def expensive_slots_take(request) -> SlotTicket:
    """Places for one expensive request: one of its client's, then one of the server's.

    Raises Busy (to be answered 429 at once, not queued, so that cheap pages always find a thread)
    when the client already has EXPENSIVE_PER_CLIENT in flight, or the server EXPENSIVE_MAX."""
    seconds = settings.EXPENSIVE_RETRY_AFTER
    ticket = SlotTicket()
    mine = client_slots(client_ident(request)).take()
    if mine is None:
        raise Busy(
            _("您已有 %(count)s 个检索、报告或导出请求正在处理，请等它们完成后再试（%(seconds)s 秒后）。")
            % {"count": settings.EXPENSIVE_PER_CLIENT, "seconds": seconds},
            seconds,
        )
    ticket.slots.append(mine)
    shared = server_slots().take()
    if shared is None:
        ticket.release()
        raise Busy(
            _("服务器正忙于处理其他检索和导出，请在 %(seconds)s 秒后再试。") % {"seconds": seconds},
            seconds,
        )
    ticket.slots.append(shared)
    return ticket
