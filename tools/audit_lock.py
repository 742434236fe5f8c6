"""Audit pinned requirements (``requirements.lock``) against the package registry's vulnerability data.

``pip-audit -s pypi`` asks PyPI for the vulnerabilities of each pinned release at
``/pypi/<name>/<version>/json``. Where that per-release page is not served (a mirror or a gateway that
serves only the project pages ``/pypi/<name>/json``), pip-audit skips every pin as "Dependency not
found on PyPI" and still ends with "No known vulnerabilities found" and exit code 0: an audit that
checked nothing. This wrapper runs pip-audit and then, for each pin it skipped, reads the project page:
its ``vulnerabilities`` are those of the project's latest release, so a pin *at* the latest release is
checked there; a pin behind it cannot be checked on such a network and is listed as not verified.

Exit codes: 0 nothing known vulnerable (``--strict``: and every pin verified); 1 a known vulnerability
(or, ``--strict``, a pin not verified); 2 the audit itself failed. ``--expect-vulnerable`` turns it
round for a canary file of known-vulnerable pins: 0 only when the audit reports at least one of them,
which shows the gate bites.

    python tools/audit_lock.py requirements.lock [--strict] [--ignore-vuln ID ...]
    python tools/audit_lock.py --expect-vulnerable tools/audit-canary.txt
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PROJECT_PAGE = "https://pypi.org/pypi/{name}/json"
TIMEOUT_SECONDS = 30
NOT_ON_REGISTRY = "not found on pypi"  # pip-audit's skip reason when the per-release page is refused

# A project page (``/pypi/<name>/json``) as a dict, or None when the registry has no such project.
Fetch = Callable[[str], Mapping[str, Any] | None]


@dataclass(frozen=True)
class Finding:
    name: str
    version: str
    vuln_id: str
    fix_versions: tuple[str, ...]
    source: str  # "pip-audit" or "latest release data"


@dataclass
class Verdict:
    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # "name==version" checked by pip-audit itself
    checked_latest: list[str] = field(default_factory=list)  # checked on the project page (pin is latest)
    unverified: list[str] = field(default_factory=list)  # "name==version (reason)"

    @property
    def total(self) -> int:
        return len(self.checked) + len(self.checked_latest) + len(self.unverified)


def same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def ignored(vuln: Mapping[str, Any], ignore: frozenset[str]) -> bool:
    names = {str(vuln.get("id", ""))} | {str(alias) for alias in vuln.get("aliases") or ()}
    return bool(names & ignore)


def pinned_versions(text: str) -> dict[str, str]:
    """``name==version`` of each requirement line (comments, options and hash lines left out), by
    canonical name."""
    pins: dict[str, str] = {}
    for line in text.splitlines():
        requirement = line.split("#", 1)[0].strip().rstrip("\\").strip()
        if not requirement or requirement.startswith("-") or "==" not in requirement:
            continue
        name, version = requirement.split(";", 1)[0].split("==", 1)
        pins[canonicalize_name(name.split("[", 1)[0].strip())] = version.strip()
    return pins


def evaluate(report: Mapping[str, Any], pins: Mapping[str, str], fetch: Fetch, ignore: Iterable[str] = ()) -> Verdict:
    """Merge pip-audit's JSON report with the project pages of the pins it skipped (a skipped pin's
    version is not in the report: it is taken from ``pins``, the requirements file's)."""
    skip = frozenset(ignore)
    verdict = Verdict()
    for dep in report.get("dependencies", []):
        name = str(dep["name"])
        version = str(dep.get("version") or pins.get(canonicalize_name(name), ""))
        pin = f"{name}=={version}"
        reason = dep.get("skip_reason")
        if reason is None:
            verdict.checked.append(pin)
            for vuln in dep.get("vulns", []):
                if not ignored(vuln, skip):
                    fixes = tuple(str(v) for v in vuln.get("fix_versions") or ())
                    verdict.findings.append(Finding(name, version, str(vuln["id"]), fixes, "pip-audit"))
            continue
        if NOT_ON_REGISTRY not in str(reason).lower() or not version:
            verdict.unverified.append(f"{pin} ({reason})")
            continue
        page = fetch(str(canonicalize_name(name)))
        if page is None:
            verdict.unverified.append(f"{pin} (no such project on the registry)")
            continue
        latest = str(page.get("info", {}).get("version", ""))
        if not same_version(latest, version):
            verdict.unverified.append(f"{pin} (per-release data not served; latest is {latest})")
            continue
        verdict.checked_latest.append(pin)
        for vuln in page.get("vulnerabilities") or []:
            if vuln.get("withdrawn") or ignored(vuln, skip):
                continue
            fixes = tuple(str(v) for v in vuln.get("fixed_in") or ())
            verdict.findings.append(Finding(name, version, str(vuln["id"]), fixes, "latest release data"))
    return verdict


def fetch_project_page(name: str, attempts: int = 3) -> Mapping[str, Any] | None:
    """The project page of ``name``; None when the registry has no such project. A failure of the
    network or a server error is tried again, then raised (the audit fails, it never passes blind)."""
    request = urllib.request.Request(PROJECT_PAGE.format(name=name), headers={"Accept": "application/json"})
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                page: Mapping[str, Any] = json.load(response)
                return page
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            if error.code < 500 or attempt == attempts:
                raise
        except urllib.error.URLError:
            if attempt == attempts:
                raise
        time.sleep(2 * attempt)
    raise AssertionError("unreachable")


def run_pip_audit(requirements: Path, ignore: Sequence[str]) -> dict[str, Any]:
    """pip-audit's JSON report of ``requirements`` (taken as pinned: nothing is installed or resolved)."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "report.json"
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--requirement",
            str(requirements),
            "--no-deps",
            "--disable-pip",
            "--vulnerability-service",
            "pypi",
            "--format",
            "json",
            "--output",
            str(output),
            "--progress-spinner",
            "off",
        ]
        for vuln_id in ignore:
            command += ["--ignore-vuln", vuln_id]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode not in (0, 1) or not output.exists():
            sys.stderr.write(done.stdout + done.stderr)
            raise RuntimeError(f"pip-audit failed (exit code {done.returncode})")
        report: dict[str, Any] = json.loads(output.read_text())
        return report


def print_verdict(requirements: Path, verdict: Verdict) -> None:
    print(f"audit of {requirements}: {verdict.total} pins")
    print(f"  checked by pip-audit (per-release data): {len(verdict.checked)}")
    print(f"  checked on the project's latest-release data: {len(verdict.checked_latest)}")
    print(f"  not verified (per-release data not served here): {len(verdict.unverified)}")
    for pin in verdict.unverified:
        print(f"    {pin}")
    for f in verdict.findings:
        fixed = ", ".join(f.fix_versions) or "no fixed release"
        print(f"VULNERABLE {f.name}=={f.version}: {f.vuln_id} (fixed in: {fixed}; {f.source})")
    if not verdict.findings:
        print("no known vulnerability")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", type=Path)
    parser.add_argument("--strict", action="store_true", help="fail when a pin could not be verified")
    parser.add_argument("--ignore-vuln", action="append", default=[], metavar="ID", help="a reviewed exception")
    parser.add_argument(
        "--expect-vulnerable", action="store_true", help="a canary: succeed only when a vulnerability is reported"
    )
    args = parser.parse_args(argv)
    try:
        pins = pinned_versions(args.requirements.read_text())
        report = run_pip_audit(args.requirements, args.ignore_vuln)
        verdict = evaluate(report, pins, fetch_project_page, args.ignore_vuln)
    except (RuntimeError, OSError, ValueError) as error:
        print(f"audit failed: {error}", file=sys.stderr)
        return 2
    print_verdict(args.requirements, verdict)
    if args.expect_vulnerable:
        if verdict.findings:
            print("canary: the audit reports the known-vulnerable pins, the gate bites")
            return 0
        print("canary: NO vulnerability reported for known-vulnerable pins: the audit checks nothing", file=sys.stderr)
        return 1
    if verdict.findings:
        return 1
    if args.strict and verdict.unverified:
        print("strict: some pins could not be verified", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
