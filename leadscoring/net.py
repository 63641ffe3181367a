"""The outbound-URL guard: every request to a URL that a user or a remote system chose goes here.

A URL from outside could point at this machine, the cloud metadata service or the office
network (SSRF). So: http(s) only; the host is resolved once and every address it resolves to
must be public (or the host explicitly allowed by an admin); the connection goes to the address
that was checked (no second DNS lookup an attacker could answer differently); each redirect is
checked the same way; bodies are streamed under a size cap; everything has a timeout.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import httpx
from django.conf import settings

from leadscoring.exceptions import ApplicationError
from leadscoring.http import USER_AGENT

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_REDIRECTS = {301, 302, 303, 307, 308}
# NAT64 (RFC 6052) addresses carry an IPv4 address in their last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundRefused(ApplicationError):
    """The URL points somewhere we will not connect to. Permanent: retrying cannot help."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="url_refused")


class OutboundTooLarge(ApplicationError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the response is larger than the {limit:,} byte limit", code="too_large")
        self.limit = limit


class OutboundFailed(ApplicationError):
    """The remote end failed (connection, timeout, HTTP status); may be retried unless permanent."""

    def __init__(self, message: str, *, permanent: bool, status: int | None = None) -> None:
        super().__init__(message, code="fetch_failed")
        self.permanent = permanent
        self.status = status


@dataclass(frozen=True, slots=True)
class PinnedTarget:
    url: httpx.URL
    address: str  # the checked IP the connection must go to


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundRefused(f"the host {host!r} cannot be resolved") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_refusal(ip: IPAddress) -> str | None:
    """Why connecting to ``ip`` is refused, or None if it is a public unicast address."""
    candidates: list[IPAddress] = []
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4 smuggled inside IPv6 (mapped, 6to4, Teredo, NAT64) is judged as the IPv4 it is.
        candidates += [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
        if ip.teredo:
            candidates += list(ip.teredo)
        if ip in _NAT64:
            candidates.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    for addr in [*candidates, ip]:
        for label, flagged in (
            ("the unspecified", addr.is_unspecified),
            ("a loopback", addr.is_loopback),
            ("a link-local", addr.is_link_local),
            ("a private", addr.is_private),
            ("a multicast", addr.is_multicast),
            ("a reserved", addr.is_reserved),
            ("a non-public", not addr.is_global),
        ):
            if flagged:
                return f"{addr} is {label} address"
    return None


def _literal(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        return []


def _host_allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    host = host.lower().strip("[]").rstrip(".")
    return any(host == a.lower().strip("[]").rstrip(".") for a in allowed_hosts)


def validate_outbound_url(
    url: str | httpx.URL,
    *,
    allowed_hosts: Iterable[str] = (),
    resolver: Resolver | None = None,
) -> PinnedTarget:
    """Check ``url`` and resolve it to the one address the connection will use.

    Raises OutboundRefused with a reason a person can act on.
    """
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, TypeError) as exc:
        raise OutboundRefused(f"not a valid URL: {exc}") from exc
    if parsed.scheme not in ("http", "https"):
        raise OutboundRefused(f"only http and https URLs are fetched, not {parsed.scheme or '?'!r}")
    if not parsed.host:
        raise OutboundRefused("the URL has no host")
    if parsed.userinfo:
        # Credentials in the URL would be sent to whichever host a redirect names.
        raise OutboundRefused("URLs with a user name or password in them are not fetched")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    allowed = [*allowed_hosts, *settings.OUTBOUND_ALLOWED_HOSTS]
    addresses = _literal(parsed.host) or (resolver or system_resolver)(parsed.host, port)
    if not addresses:
        raise OutboundRefused(f"the host {parsed.host!r} has no address")
    checked: list[str] = []
    for raw in addresses:
        try:
            ip = ipaddress.ip_address(raw.split("%", 1)[0])
        except ValueError as exc:
            raise OutboundRefused(f"{parsed.host!r} resolved to a non-IP {raw!r}") from exc
        reason = None if _host_allowed(parsed.host, allowed) else address_refusal(ip)
        if reason:
            # One bad address is enough to refuse: DNS answers rotate, and we only ever check once.
            raise OutboundRefused(f"refused to connect to {parsed.host}: {reason}")
        checked.append(str(ip))
    return PinnedTarget(url=parsed, address=checked[0])


class _PinnedTransport(httpx.BaseTransport):
    """Sends the request to the checked address while keeping the Host header and TLS name."""

    def __init__(self, inner: httpx.BaseTransport, target: PinnedTarget, *, owned: bool) -> None:
        self.inner, self.target, self.owned = inner, target, owned

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = self.target.url.host
        request.url = request.url.copy_with(host=self.target.address)
        request.extensions = {**request.extensions, "sni_hostname": host}
        return self.inner.handle_request(request)

    def close(self) -> None:
        if self.owned:  # an injected transport outlives one hop
            self.inner.close()


@dataclass(frozen=True, slots=True)
class Download:
    final_url: str
    size: int
    content_type: str


@dataclass(frozen=True, slots=True)
class GuardedResponse:
    url: httpx.URL  # the URL answered, after redirects (the connection went to a checked address)
    response: httpx.Response


@contextmanager
def guarded_stream(
    method: str,
    url: str,
    *,
    allowed_hosts: Iterable[str] = (),
    resolver: Resolver | None = None,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float | None = None,
    max_redirects: int = 5,
    transport: httpx.BaseTransport | None = None,
) -> Iterator[GuardedResponse]:
    """Open a streamed response for ``method url``, checking the URL and every redirect.

    Redirects are followed only for GET/HEAD. Basic ``auth`` goes only to the first URL's
    origin: a redirect elsewhere (e.g. to a storage bucket) must not receive the credentials.
    """
    timeout = timeout if timeout is not None else settings.OUTBOUND_TIMEOUT_SECONDS
    current = httpx.URL(url)
    origin = (current.scheme, current.host, current.port)
    follow = method.upper() in ("GET", "HEAD")
    for hop in range(max_redirects + 1):
        target = validate_outbound_url(current, allowed_hosts=allowed_hosts, resolver=resolver)
        inner = transport or httpx.HTTPTransport(retries=0)
        same_origin = (current.scheme, current.host, current.port) == origin
        client = httpx.Client(
            transport=_PinnedTransport(inner, target, owned=transport is None),
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
            headers={"User-Agent": f"{USER_AGENT} (outbound)"},
            follow_redirects=False,
            trust_env=False,  # an environment proxy would connect to an unchecked address
            auth=auth if same_origin else None,
        )
        try:
            request = client.build_request(
                method, current, headers=headers, content=content if hop == 0 else None
            )
            try:
                response = client.send(request, stream=True)
            except httpx.TimeoutException as exc:
                raise OutboundFailed(f"{current.host} timed out", permanent=False) from exc
            except httpx.HTTPError as exc:
                raise OutboundFailed(
                    f"could not reach {current.host}: {exc}", permanent=False
                ) from exc
            if follow and response.status_code in _REDIRECTS and "location" in response.headers:
                location = response.headers["location"]
                response.close()
                current = current.join(location)
                continue
            try:
                yield GuardedResponse(current, response)
            finally:
                response.close()
            return
        finally:
            client.close()
    raise OutboundRefused(f"more than {max_redirects} redirects")


def guarded_download(
    url: str,
    *,
    dest: IO[bytes],
    max_bytes: int | None = None,
    allowed_hosts: Iterable[str] = (),
    resolver: Resolver | None = None,
    auth: tuple[str, str] | None = None,
    headers: dict[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    max_seconds: float | None = None,
) -> Download:
    """GET ``url`` into ``dest``, stopping as soon as more than ``max_bytes`` have arrived.

    Read timeouts bound each wait; ``max_seconds`` bounds the whole download, so a server
    dripping a byte at a time cannot hold a worker forever.
    """
    limit = max_bytes if max_bytes is not None else settings.MAX_RECORDING_BYTES
    budget = max_seconds if max_seconds is not None else settings.OUTBOUND_DOWNLOAD_MAX_SECONDS
    deadline = time.monotonic() + budget
    with guarded_stream(
        "GET",
        url,
        allowed_hosts=allowed_hosts,
        resolver=resolver,
        auth=auth,
        headers={"Accept-Encoding": "identity", **(headers or {})},
        transport=transport,
    ) as answered:
        response = answered.response
        if response.status_code >= 400:
            # 408/429/5xx are worth retrying; other client errors will not change on their own.
            retry = response.status_code in (408, 429) or response.status_code >= 500
            raise OutboundFailed(
                f"{answered.url.host} answered HTTP {response.status_code}",
                permanent=not retry,
                status=response.status_code,
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise OutboundTooLarge(limit)
        size = 0
        try:
            # Decoded bytes are counted, so a compressed body cannot expand past the cap.
            for chunk in response.iter_bytes():  # as it arrives: no waiting to fill a buffer
                size += len(chunk)
                if size > limit:
                    raise OutboundTooLarge(limit)
                if time.monotonic() > deadline:
                    raise OutboundFailed(
                        f"the download took longer than {budget:g} s", permanent=False
                    )
                dest.write(chunk)
        except httpx.TimeoutException as exc:
            raise OutboundFailed("the download timed out", permanent=False) from exc
        except httpx.HTTPError as exc:
            raise OutboundFailed(f"the download broke off: {exc}", permanent=False) from exc
        return Download(
            final_url=str(answered.url),
            size=size,
            content_type=response.headers.get("content-type", ""),
        )
