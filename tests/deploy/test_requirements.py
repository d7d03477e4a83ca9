"""The production install (the runtime locks) holds what the product runs, and no test tool."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_LOCKS = ["requirements.txt", "requirements-nodeps.txt"]
# Test runners, browsers, fuzzers, type checkers, fake servers, linters.
DEV_TOOLS = {
    "pytest", "pytest-django", "pytest-playwright", "playwright", "schemathesis", "hypothesis",
    "factory-boy", "faker", "time-machine", "mypy", "moto", "aiosmtpd", "ruff", "pip-tools",
    "scikit-image", "insightface", "face-recognition-ng",
}  # fmt: skip
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def entries(filename):
    """{package: the text of its entry} for a pip-compile style lock."""
    found, current = {}, None
    for line in (ROOT / filename).read_text().splitlines():
        if match := PIN.match(line):
            current = normalized(match[1])
            found[current] = line
        elif current and line.startswith("    --hash="):
            found[current] += line
        elif not line.startswith("    "):
            current = None
    return found


@pytest.mark.parametrize("filename", RUNTIME_LOCKS)
def test_runtime_lock_holds_no_test_tool(filename):
    locked = entries(filename)
    assert locked
    assert not DEV_TOOLS & set(locked), f"{filename} would install test tools in production"


@pytest.mark.parametrize("filename", [*RUNTIME_LOCKS, "requirements-dev.txt"])
def test_every_locked_package_is_pinned_with_hashes(filename):
    unhashed = [name for name, text in entries(filename).items() if "--hash=sha256:" not in text]
    assert unhashed == []


def test_development_lock_agrees_with_the_runtime_lock():
    """The test tools are installed on top of production's packages, at the same versions."""
    runtime = {name: PIN.match(text)[2] for name, text in entries("requirements.txt").items()}
    development = {name: PIN.match(text)[2] for name, text in entries("requirements-dev.txt").items()}
    assert {name: version for name, version in development.items() if runtime.get(name, version) != version} == {}
    assert {"pytest", "moto", "ruff"} <= set(development)


def test_each_direct_dependency_is_locked():
    direct = set()
    for line in (ROOT / "requirements.in").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            direct.add(normalized(re.split(r"[\[<>=~!; ]", line)[0]))
    assert direct - set(entries("requirements.txt")) == set()
