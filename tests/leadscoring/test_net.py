"""The outbound-URL guard against SSRF: what it refuses, and that it still fetches what it may."""

from __future__ import annotations

import io
import ssl
import time
from collections.abc import Iterator

import httpx
import pytest
import trustme

from leadscoring.net import (
    OutboundFailed,
    OutboundRefused,
    OutboundTooLarge,
    guarded_download,
    guarded_stream,
    validate_outbound_url,
)
from tests.fakes.server import serve

PUBLIC_IP = "93.184.215.14"


def resolver_for(table: dict[str, list[str]]):
    """An injected DNS: hostnames map to whatever addresses a test needs."""
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return table[host]

    resolve.asked = asked  # type: ignore[attr-defined]
    return resolve


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1/recording.wav", "loopback"),
        ("http://127.1.2.3:8080/x", "loopback"),
        ("http://10.0.0.1/x", "private"),
        ("http://10.255.255.254/x", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]/x", "loopback"),
        ("http://[::ffff:127.0.0.1]/x", "loopback"),
        ("http://[::ffff:10.0.0.1]/x", "private"),
        ("http://[fe80::1]/x", "link-local"),
        ("http://[fd00::1]/x", "private"),
        ("http://0.0.0.0/x", "unspecified"),
        ("http://224.0.0.1/x", "multicast"),
        ("http://192.168.1.10/x", "private"),
        ("http://100.64.0.1/x", "non-public"),
        ("http://[64:ff9b::a9fe:a9fe]/x", "link-local"),
    ],
)
def test_internal_addresses_are_refused(url: str, why: str) -> None:
    with pytest.raises(OutboundRefused, match=why):
        validate_outbound_url(url, resolver=resolver_for({}))


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://localhost/a.wav", r"127\.0\.0\.1 is a loopback"),
        ("http://2130706433/a.wav", r"127\.0\.0\.1 is a loopback"),  # one decimal number
        ("http://0x7f000001/a.wav", r"127\.0\.0\.1 is a loopback"),
        ("http://0177.0.0.1/a.wav", r"not a valid URL"),  # octal
        # Resolvers differ on a trailing dot; either way it is refused.
        ("http://127.0.0.1./a.wav", r"cannot be resolved|127\.0\.0\.1 is a loopback"),
    ],
)
def test_loopback_in_disguise_is_refused(url: str, why: str) -> None:
    # The system resolver turns the numeric forms into 127.0.0.1; the address is what's checked.
    with pytest.raises(OutboundRefused, match=why):
        validate_outbound_url(url)


def test_ip_literals_need_no_dns_and_public_ones_pass() -> None:
    resolve = resolver_for({})
    target = validate_outbound_url(f"https://{PUBLIC_IP}/a.wav", resolver=resolve)
    assert target.address == PUBLIC_IP
    assert resolve.asked == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/a.wav", "gopher://x/", "//example.com/a"]
)
def test_non_http_schemes_are_refused(url: str) -> None:
    with pytest.raises(OutboundRefused, match=r"only http and https|no host"):
        validate_outbound_url(url, resolver=resolver_for({}))


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(OutboundRefused, match="user name or password"):
        validate_outbound_url("https://u:p@example.com/a.wav", resolver=resolver_for({}))


def test_a_hostname_resolving_to_a_private_address_is_refused() -> None:
    resolve = resolver_for({"recordings.example.com": ["10.1.2.3"]})
    with pytest.raises(
        OutboundRefused, match=r"recordings\.example\.com: 10\.1\.2\.3 is a private"
    ):
        validate_outbound_url("https://recordings.example.com/a.wav", resolver=resolve)


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    resolve = resolver_for({"mixed.example.com": [PUBLIC_IP, "127.0.0.1"]})
    with pytest.raises(OutboundRefused, match="loopback"):
        validate_outbound_url("https://mixed.example.com/a.wav", resolver=resolve)


def test_an_unresolvable_host_is_refused_with_its_name() -> None:
    with pytest.raises(OutboundRefused, match=r"nowhere\.invalid"):
        validate_outbound_url("https://nowhere.invalid/a.wav")


def test_the_connection_goes_to_the_checked_address_with_the_original_host() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"RIFF")

    resolve = resolver_for({"media.example.com": [PUBLIC_IP]})
    out = io.BytesIO()
    guarded_download(
        "https://media.example.com/r/1.wav?x=1",
        dest=out,
        resolver=resolve,
        transport=httpx.MockTransport(handler),
    )
    # Pinned: the request went to the IP that was checked, named as the host (Host, TLS SNI).
    assert seen[0].url.host == PUBLIC_IP
    assert seen[0].url.path == "/r/1.wav"
    assert seen[0].headers["host"] == "media.example.com"
    assert seen[0].extensions["sni_hostname"] == "media.example.com"
    assert resolve.asked == ["media.example.com"]  # type: ignore[attr-defined]
    assert out.getvalue() == b"RIFF"


def test_an_admin_allowed_local_host_is_fetched_for_real(settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    with serve(lambda r: httpx.Response(200, content=b"x" * 5000)) as base:
        out = io.BytesIO()
        result = guarded_download(f"{base}/a.wav", dest=out)
    assert (result.size, out.getvalue()) == (5000, b"x" * 5000)


def test_the_local_server_is_refused_when_not_allowed() -> None:
    with (
        serve(lambda r: httpx.Response(200, content=b"secret")) as base,
        pytest.raises(OutboundRefused, match=r"127\.0\.0\.1 is a loopback"),
    ):
        guarded_download(f"{base}/a.wav", dest=io.BytesIO())


def test_a_redirect_to_a_private_address_is_refused(settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    hits: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hits.append(request.url.path)
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/"})

    with serve(handler) as base, pytest.raises(OutboundRefused, match=r"169\.254\.169\.254"):
        guarded_download(f"{base}/a.wav", dest=io.BytesIO())
    assert hits == ["/a.wav"]


def test_a_redirect_to_a_hostname_resolving_privately_is_refused(settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    resolve = resolver_for({"internal.example.com": ["10.9.8.7"]})

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": "https://internal.example.com/x"})

    with serve(handler) as base, pytest.raises(OutboundRefused, match=r"10\.9\.8\.7 is a private"):
        guarded_download(f"{base}/a.wav", dest=io.BytesIO(), resolver=resolve)
    assert resolve.asked == ["internal.example.com"]  # type: ignore[attr-defined]


def test_an_allowed_redirect_is_followed_and_credentials_stay_with_the_first_origin(
    settings,
) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    auth_seen: dict[str, str | None] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        auth_seen[request.url.host] = request.headers.get("authorization")
        if request.url.host == "127.0.0.1":
            port = request.url.port
            return httpx.Response(302, headers={"Location": f"http://localhost:{port}/file"})
        return httpx.Response(200, content=b"audio")

    resolve = resolver_for({"localhost": ["127.0.0.1"]})
    with serve(handler) as base:
        out = io.BytesIO()
        result = guarded_download(
            f"{base}/start", dest=out, resolver=resolve, auth=("AC1", "token")
        )
    assert out.getvalue() == b"audio"
    assert result.final_url.startswith("http://localhost:")
    assert auth_seen["127.0.0.1"] is not None
    assert auth_seen["localhost"] is None


def test_too_many_redirects_are_refused(settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    with (
        serve(lambda r: httpx.Response(302, headers={"Location": "/again"})) as base,
        pytest.raises(OutboundRefused, match="redirects"),
    ):
        guarded_download(f"{base}/a", dest=io.BytesIO())


def test_a_declared_too_large_body_is_refused_before_reading(settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    out = io.BytesIO()
    with (
        serve(lambda r: httpx.Response(200, content=b"x" * 20_000)) as base,
        pytest.raises(OutboundTooLarge),
    ):
        guarded_download(f"{base}/a", dest=out, max_bytes=10_000)
    assert out.getvalue() == b""


def test_an_endless_stream_is_cut_off_at_the_cap(settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    produced = [0]

    def endless() -> Iterator[bytes]:
        for _ in range(100_000):  # 6.4 GB if nobody stopped reading
            produced[0] += 65536
            yield b"\0" * 65536

    out = io.BytesIO()
    with (
        serve(lambda r: httpx.Response(200, content=endless())) as base,
        pytest.raises(OutboundTooLarge, match="256,000 byte limit"),
    ):
        guarded_download(f"{base}/a", dest=out, max_bytes=256_000)
    assert len(out.getvalue()) <= 256_000
    assert produced[0] < 64 * 1024 * 1024  # the server was stopped long before the end


def test_http_errors_say_whether_a_retry_can_help(settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    for code, permanent in ((404, True), (403, True), (503, False), (429, False)):
        with (
            serve(lambda r, c=code: httpx.Response(c)) as base,
            pytest.raises(OutboundFailed) as caught,
        ):
            guarded_download(f"{base}/a", dest=io.BytesIO())
        assert (caught.value.status, caught.value.permanent) == (code, permanent)


def test_a_post_is_not_redirected(settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    redirect = httpx.Response(307, headers={"Location": "http://10.0.0.1/"})
    with (
        serve(lambda r: redirect) as base,
        guarded_stream("POST", f"{base}/hook", content=b"{}") as answered,
    ):
        assert answered.response.status_code == 307


def test_a_closed_port_is_a_retryable_failure(settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    with serve(lambda r: httpx.Response(200)) as base:
        pass  # the server is gone: nothing listens on that port any more
    with pytest.raises(OutboundFailed) as caught:
        guarded_download(f"{base}/a", dest=io.BytesIO())
    assert caught.value.permanent is False


@pytest.mark.parametrize(("cert_for", "works"), [("media.example.com", True), ("evil.test", False)])
def test_tls_to_a_pinned_address_verifies_the_certificate_for_the_hostname(
    settings, cert_for: str, works: bool
) -> None:
    """The connection goes to the checked IP, yet TLS still proves it is the named host."""
    settings.OUTBOUND_ALLOWED_HOSTS = ["media.example.com"]
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(cert_for).configure_cert(server_tls)
    client_tls = ssl.create_default_context()
    ca.configure_trust(client_tls)
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.headers["host"])
        return httpx.Response(200, content=b"audio")

    resolve = resolver_for({"media.example.com": ["127.0.0.1"]})
    with serve(handler, tls=server_tls) as base:
        url = base.replace("127.0.0.1", "media.example.com") + "/a.wav"
        transport = httpx.HTTPTransport(verify=client_tls)
        if works:
            out = io.BytesIO()
            guarded_download(url, dest=out, resolver=resolve, transport=transport)
            assert out.getvalue() == b"audio"
            assert hosts == [url.split("/")[2]]
        else:
            with pytest.raises(OutboundFailed, match=r"could not reach media\.example\.com"):
                guarded_download(url, dest=io.BytesIO(), resolver=resolve, transport=transport)
            assert hosts == []


def test_a_server_dripping_bytes_cannot_hold_the_download_forever(settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]

    def drip() -> Iterator[bytes]:
        for _ in range(2000):  # 100 s if nobody stopped reading
            time.sleep(0.05)
            yield b"x"

    with (
        serve(lambda r: httpx.Response(200, content=drip())) as base,
        pytest.raises(OutboundFailed, match=r"took longer than 0\.3 s") as caught,
    ):
        guarded_download(f"{base}/a", dest=io.BytesIO(), max_seconds=0.3)
    assert caught.value.permanent is False
