"""The README's promises: two set-up commands first, and CI runs the second one."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text())


def test_readme_begins_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.index("```sh")
    assert "##" not in readme[:first_block], "nothing but the title comes before the commands"
    run_demo, run_tests = readme_commands()[:2]
    assert "flask --app tracker db upgrade" in run_demo and "flask --app tracker demo" in run_demo
    assert run_demo.endswith("flask --app tracker run")
    assert "'.[test]'" in run_tests and run_tests.endswith(".venv/bin/pytest")


def test_ci_runs_the_readme_test_command_then_postgresql():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    run_tests = readme_commands()[1]
    assert run_tests in ci
    postgres = [line for line in ci if "TEST_DATABASE_URL=postgresql" in line]
    assert postgres and ci.index(postgres[0]) > ci.index(run_tests)
