"""The deployment files say what the code does: every command of the ``Procfile`` and of the systemd
units under ``deploy/systemd/`` is a real ``creditbox`` command with options it accepts, every unit
restarts always, reads its settings from the environment file and names no secret, and the
projections the documentation lists are the real ones."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from creditbox.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
# A sample instance of each template unit (the API's port, the projection, the workers' metrics port).
INSTANCES = {"creditbox-api@": "8000", "creditbox-projector@": "positions", "creditbox-worker@": "9310"}


def procfile() -> dict[str, list[str]]:
    """Each process of the Procfile: its ``creditbox`` command's arguments (the ``$PORT`` given one)."""
    found = {}
    for line in (ROOT / "Procfile").read_text(encoding="utf-8").splitlines():
        matched = re.match(r"^([a-z]+):\s*(.+)$", line)
        if matched is None:
            continue
        command = re.search(r"\bcreditbox ([^;]+)", matched.group(2))
        assert command is not None, line
        found[matched.group(1)] = shlex.split(command.group(1).replace("${PORT:-8000}", "8000"))
    return found


def unit_commands() -> dict[str, list[str]]:
    found = {}
    for unit in sorted(UNITS.glob("*.service")):
        instance = next((i for prefix, i in INSTANCES.items() if unit.name.startswith(prefix)), None)
        for line in unit.read_text(encoding="utf-8").splitlines():
            if line.startswith("ExecStart="):
                words = shlex.split(line.removeprefix("ExecStart=").replace("%i", instance or "%i"))
                assert words[0].endswith("/creditbox"), line
                found[unit.name] = words[1:]
    return found


def accepted(args: list[str]) -> tuple[int, str]:
    """Parsing only: ``--help`` ends the command once its options were read (an unknown one is exit 2)."""
    result = CliRunner().invoke(app, [*args, "--help"])
    return result.exit_code, result.output


def test_the_procfile_starts_the_processes_of_the_topology_with_real_commands() -> None:
    processes = procfile()

    assert set(processes) == {"api", "projector", "worker", "scheduler", "reconcile"}
    assert [args[:2] for args in processes.values()] == [
        ["serve", "--host"],
        ["projections", "run"],
        ["worker", "--processes"],
        ["scheduler"],
        ["outbox", "reconcile"],
    ]
    for name, args in processes.items():
        code, output = accepted(args)
        assert code == 0, f"{name}: {args}: {output}"


def test_every_systemd_unit_runs_a_real_command_restarts_and_reads_the_environment_file() -> None:
    commands = unit_commands()

    assert set(commands) == {
        "creditbox-api@.service",
        "creditbox-projector@.service",
        "creditbox-worker@.service",
        "creditbox-scheduler.service",
        "creditbox-outbox-reconcile.service",
    }
    for unit, args in commands.items():
        code, output = accepted(args)
        assert code == 0, f"{unit}: {args}: {output}"
        text = (UNITS / unit).read_text(encoding="utf-8")
        assert "EnvironmentFile=/etc/creditbox/creditbox.env" in text, unit
        assert "Environment=CREDITBOX_PROJECTIONS=external" in text, unit
        if "Type=oneshot" not in text:
            assert "Restart=always" in text and "KillMode=mixed" in text, unit
        settings = [line for line in text.splitlines() if not line.startswith("#")]
        assert not any(re.search(r"(?i)password|secret|token=|://[^@\s]*:[^@\s]*@", s) for s in settings), unit


def test_the_example_environment_file_holds_no_password() -> None:
    text = (UNITS / "creditbox.env.example").read_text(encoding="utf-8")

    urls = re.findall(r"^CREDITBOX_\w*URL=(\S+)$", text, flags=re.MULTILINE)
    assert urls and all(not re.search(r"://[^@/]*:[^@/]*@", url) for url in urls)
    assert not re.search(r"^CREDITBOX_METRICS_TOKEN=", text, flags=re.MULTILINE)


@pytest.mark.parametrize("where", ["docs", "units"])
def test_the_projections_named_for_the_projectors_are_the_real_ones(where: str, tmp_path: Path) -> None:
    from creditbox.bootstrap import bootstrap
    from creditbox.settings import Settings

    with bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")) as c:
        real = [status.name for status in c.projections.status()]
    if where == "docs":
        text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
        listed = re.search(r"one per projection: ([^)]+)\)", text)
        assert listed is not None
        assert re.findall(r"`(\w+)`", listed.group(1)) == real
    else:
        named = re.findall(r"creditbox-projector@(\w+)", (UNITS / "creditbox.target").read_text(encoding="utf-8"))
        assert set(named) <= set(real) and named


def test_the_alert_rules_of_the_documentation_read_metrics_the_code_exposes() -> None:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = text[text.index("### Alerts") :]
    rules = section[section.index("```yaml") : section.index("```", section.index("```yaml") + 3)]
    named = {re.sub(r"_bucket$", "", name) for name in re.findall(r"\bcreditbox_\w+", rules)}
    sources = "".join(
        path.read_text(encoding="utf-8")
        for folder in ("observability", "infrastructure")
        for path in (ROOT / "creditbox" / folder).rglob("*.py")
    )
    defined = set(re.findall(r'"(creditbox_\w+)"', sources))

    assert len(named) >= 8
    assert named <= defined, named - defined
