"""The lock's coverage check and the audit's verdict (``tools/``), on made-up reports and project pages:
no network here; ``make audit`` runs the real audit, and its canary shows it bites."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tools.audit_lock import evaluate, pinned_versions
from tools.check_lock import lock_pins, main, problems, project_requirements

ROOT = Path(__file__).resolve().parents[2]

LOCK = """\
fastapi==0.115.0 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
    # via creditbox (pyproject.toml)
starlette==0.40.0 \\
    --hash=sha256:cccc
    # via fastapi
"""


def test_the_lock_of_the_project_covers_its_pyproject() -> None:
    assert main([str(ROOT / "requirements.lock"), str(ROOT / "pyproject.toml")]) == 0


def test_a_requirement_missing_from_the_lock_or_pinned_outside_its_range_or_without_hash_is_reported() -> None:
    pins, hashed = lock_pins(LOCK)
    assert pins == {"fastapi": "0.115.0", "starlette": "0.40.0"} and hashed == {"fastapi", "starlette"}
    pyproject: dict[str, Any] = {
        "project": {"dependencies": ["fastapi>=0.120"], "optional-dependencies": {"dev": ["pytest>=8"]}},
        "build-system": {"requires": ["setuptools>=68"]},
    }
    found = problems(project_requirements(pyproject), pins, hashed)
    assert found == [
        "fastapi>=0.120: the lock pins 0.115.0 (run `make lock`)",
        "pytest>=8: not in the lock (run `make lock`)",
        "setuptools>=68: not in the lock (run `make lock`)",
    ]
    unhashed_pins, unhashed = lock_pins("uvicorn==0.30.0\n")
    assert problems([], unhashed_pins, unhashed) == ["uvicorn==0.30.0: pinned without a hash"]
    windows_only = project_requirements({"project": {"dependencies": ["pywin32>=300; sys_platform == 'win32'"]}})
    assert problems(windows_only, {}, set()) == []  # a requirement of another platform needs no pin here


def pages(**by_name: Mapping[str, Any]) -> Any:
    def fetch(name: str) -> Mapping[str, Any] | None:
        return by_name.get(name.replace("-", "_"))

    return fetch


VULN = {"id": "PYSEC-2017-94", "aliases": ["CVE-2013-7459"], "fixed_in": [], "withdrawn": None}
NOT_FOUND = "Dependency not found on PyPI and could not be audited: {}"


def test_a_pin_pip_audit_found_vulnerable_is_a_finding_unless_ignored() -> None:
    report = {
        "dependencies": [
            {"name": "jinja2", "version": "2.10", "vulns": [{"id": "PYSEC-2019-217", "fix_versions": ["2.10.1"]}]},
            {"name": "idna", "version": "3.10", "vulns": []},
        ]
    }
    verdict = evaluate(report, {}, pages())
    assert [(f.name, f.vuln_id, f.fix_versions) for f in verdict.findings] == [
        ("jinja2", "PYSEC-2019-217", ("2.10.1",))
    ]
    assert verdict.checked == ["jinja2==2.10", "idna==3.10"] and verdict.unverified == []
    assert evaluate(report, {}, pages(), ignore=["PYSEC-2019-217"]).findings == []


def test_a_pin_the_registry_refused_is_checked_on_the_project_page_when_it_is_the_latest_release() -> None:
    report = {
        "dependencies": [
            {"name": "pycrypto", "skip_reason": NOT_FOUND.format("pycrypto (2.6.1)")},
            {"name": "requests", "skip_reason": NOT_FOUND.format("requests (2.19.0)")},
            {"name": "six", "skip_reason": NOT_FOUND.format("six (1.17.0)")},
        ]
    }
    pins = pinned_versions("pycrypto==2.6.1  # abandoned\nrequests==2.19.0\nsix==1.17.0 \\\n    --hash=sha256:aa\n")
    assert pins == {"pycrypto": "2.6.1", "requests": "2.19.0", "six": "1.17.0"}
    fetch = pages(
        pycrypto={"info": {"version": "2.6.1"}, "vulnerabilities": [VULN, {**VULN, "id": "OLD", "withdrawn": "2020"}]},
        requests={"info": {"version": "2.34.2"}, "vulnerabilities": []},
        six={"info": {"version": "1.17.0"}, "vulnerabilities": []},
    )
    verdict = evaluate(report, pins, fetch)
    assert [(f.name, f.version, f.vuln_id) for f in verdict.findings] == [("pycrypto", "2.6.1", "PYSEC-2017-94")]
    assert verdict.checked_latest == ["pycrypto==2.6.1", "six==1.17.0"]
    assert verdict.unverified == ["requests==2.19.0 (per-release data not served; latest is 2.34.2)"]
    assert evaluate(report, pins, fetch, ignore=["CVE-2013-7459"]).findings == []  # by an alias too
