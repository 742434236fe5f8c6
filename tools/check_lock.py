"""Check that ``requirements.lock`` still covers ``pyproject.toml`` (offline, in a second).

Every requirement of the project — runtime, the ``dev`` extra and the build system's — must be pinned
in the lock (``name==version``) at a version its specifier admits, and every pin must carry its hashes.
A dependency added to or tightened in ``pyproject.toml`` without ``make lock`` fails here, before the
hash-checked install silently leaves it out (the project itself is installed ``--no-deps``).

    python tools/check_lock.py [requirements.lock] [pyproject.toml]
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

EXTRAS = ("dev",)


def lock_pins(text: str) -> tuple[dict[str, str], set[str]]:
    """The pins of a pip-compile lock by canonical name, and the names of those with a hash."""
    pins: dict[str, str] = {}
    hashed: set[str] = set()
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("--hash=") and current is not None:
            hashed.add(current)
            continue
        body = line.split(" #", 1)[0].rstrip("\\").strip()
        if not body or body.startswith(("#", "-")) or "==" not in body:
            continue
        name, version = body.split(";", 1)[0].split("--hash=", 1)[0].split("==", 1)
        current = canonicalize_name(name.split("[", 1)[0].strip())
        pins[current] = version.strip()
        if "--hash=" in body:
            hashed.add(current)
    return pins, hashed


def project_requirements(pyproject: dict[str, object]) -> list[Requirement]:
    project = pyproject.get("project", {})
    assert isinstance(project, dict)
    texts: list[str] = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in EXTRAS:
        texts += list(optional.get(extra, []))
    build = pyproject.get("build-system", {})
    assert isinstance(build, dict)
    texts += list(build.get("requires", []))
    return [Requirement(text) for text in texts]


def problems(requirements: Iterable[Requirement], pins: dict[str, str], hashed: set[str]) -> list[str]:
    found: list[str] = []
    for req in requirements:
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue  # not for this platform
        name = canonicalize_name(req.name)
        version = pins.get(name)
        if version is None:
            found.append(f"{req}: not in the lock (run `make lock`)")
        elif not req.specifier.contains(Version(version), prereleases=True):
            found.append(f"{req}: the lock pins {version} (run `make lock`)")
    found += [f"{name}=={version}: pinned without a hash" for name, version in pins.items() if name not in hashed]
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    lock = Path(args[0] if args else "requirements.lock")
    pyproject = Path(args[1] if len(args) > 1 else "pyproject.toml")
    pins, hashed = lock_pins(lock.read_text())
    found = problems(project_requirements(tomllib.loads(pyproject.read_text())), pins, hashed)
    for problem in found:
        print(f"{lock}: {problem}", file=sys.stderr)
    if not found:
        print(f"{lock}: {len(pins)} pins, all hashed, covering {pyproject}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
