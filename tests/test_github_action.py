"""The GitHub Action (action.yml): its steps run in bash the way an Actions runner runs them.

A small runner below reads action.yml, fills in ``${{ inputs.* }}``, ``${{ steps.*.outputs.* }}`` and
``${{ github.action_path }}`` where the real runner would (step ``env:`` values and the action's
outputs), gives each step a fresh ``$GITHUB_OUTPUT`` file and runs its ``run:`` text with
``bash --noprofile --norc -eo pipefail`` in ``$GITHUB_WORKSPACE``. The install step normally finds
the virtualenv already in ``$RUNNER_TEMP`` (as a second use of the action in one job does), seeded
with this test environment's ``pip-cache-lsp``; one test installs for real into a fresh one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest
import yaml

from pip_cache_lsp import __version__

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0-rtm.5.json").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BAD = "FROM python\nRUN pip install a\n"
CLEAN = "FROM python\nRUN pip install --no-cache-dir a\n"
WARNING = "::warning file={},line=2,col=5,endLine=2,endColumn=16,title=pip-no-cache-dir::"
INSTALLED = Path(sys.executable).parent / "pip-cache-lsp"  # the test environment's copy

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="the action's steps run in bash")


def parse_output_file(text: str) -> dict[str, str]:
    """Read a $GITHUB_OUTPUT file as the runner does: NAME=VALUE lines and NAME<<DELIMITER blocks."""
    outputs: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value: list[str] = []
            for body in lines:
                if body == delimiter:
                    break
                value.append(body)
            else:
                raise AssertionError(f"unterminated {name}<<{delimiter} in GITHUB_OUTPUT")
            outputs[name] = "\n".join(value)
        else:
            name, _, value_ = line.partition("=")
            outputs[name] = value_
    return outputs


@dataclass
class Step:
    id: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


@dataclass
class Run:
    steps: list[Step] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def returncode(self) -> int:
        return self.steps[-1].returncode

    @property
    def stdout(self) -> str:
        return "".join(step.stdout for step in self.steps)

    @property
    def stderr(self) -> str:
        return "".join(step.stderr for step in self.steps)

    def annotations(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("::")]


class Runner:
    """Just enough of an Actions runner to run this composite action's bash steps."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        # Paths with spaces everywhere the runner chooses them: the scripts must quote.
        self.action_path = tmp / "runner _actions" / "pip-cache-lsp"
        self.action_path.parent.mkdir()
        self.action_path.symlink_to(ROOT, target_is_directory=True)
        self.workspace = tmp / "work space"
        self.workspace.mkdir()
        self.runner_temp = tmp / "runner temp"
        self.runner_temp.mkdir()
        self.venv = self.runner_temp / "pip-cache-lsp-venv"

    def seed_venv(self, executable: Path) -> None:
        """Leave the virtualenv a first run of install.sh would have left, with `executable` in it."""
        (self.venv / "bin").mkdir(parents=True)
        (self.venv / "bin" / "pip-cache-lsp").symlink_to(executable)
        (self.venv / ".pip-cache-lsp-action").write_text(str(self.action_path))

    def environment(self, number: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("INPUT_", "GITHUB_", "RUNNER_", "PIP_CACHE_LSP"))}
        output = self.runner_temp / f"_runner_file_commands/set_output_{number}"
        output.parent.mkdir(exist_ok=True)
        output.write_text("")
        env.update(GITHUB_ACTIONS="true", CI="true", GITHUB_ACTION_PATH=str(self.action_path),
                   GITHUB_WORKSPACE=str(self.workspace), GITHUB_OUTPUT=str(output),
                   RUNNER_TEMP=str(self.runner_temp), RUNNER_OS="Linux")
        return env

    def run(self, **given: str) -> Run:
        """Run the action with `given` inputs (underscores for dashes), as `uses:` with `with:` would."""
        given = {name.replace("_", "-"): value for name, value in given.items()}
        assert set(given) <= set(ACTION["inputs"]), "the runner would warn about an unexpected input"
        inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()} | given
        run = Run()
        step_outputs: dict[str, dict[str, str]] = {}

        def evaluate(text: str) -> str:
            def one(match: re.Match[str]) -> str:
                expression = match.group(1)
                if expression.startswith("inputs."):
                    return inputs[expression.removeprefix("inputs.")]
                if m := re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression):
                    return step_outputs.get(m[1], {}).get(m[2], "")
                if expression == "github.action_path":
                    return str(self.action_path)
                raise AssertionError(f"this test runner does not know ${{{{ {expression} }}}}")
            return EXPRESSION.sub(one, text)

        for number, step in enumerate(ACTION["runs"]["steps"]):
            if "uses" in step:  # only setup-python, skipped unless python-version is given
                assert step["if"] == "inputs.python-version != ''"
                assert inputs["python-version"] == "", "this test runner does not run actions"
                continue
            env = self.environment(number)
            env.update({name: evaluate(str(value)) for name, value in step.get("env", {}).items()})
            script = self.runner_temp / f"step_{number}.sh"
            script.write_text(step["run"])
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                                  cwd=self.workspace, env=env, capture_output=True, text=True,
                                  timeout=300, check=False)
            outputs = parse_output_file(Path(env["GITHUB_OUTPUT"]).read_text())
            step_outputs[step.get("id", str(number))] = outputs
            run.steps.append(Step(step.get("id", str(number)), done.returncode, done.stdout, done.stderr, outputs))
            if done.returncode != 0:
                break
        run.outputs = {name: evaluate(spec["value"]) for name, spec in ACTION["outputs"].items()}
        return run

    def no_command_ran(self) -> None:
        """Nothing named pwned* appeared anywhere a hostile input could have touched it."""
        assert [p for p in self.tmp.rglob("pwned*")] == []
        assert not (ROOT / "pwned").exists()


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    if not INSTALLED.exists():
        pytest.skip(f"{INSTALLED} is missing: run the tests with the project's virtualenv")
    runner = Runner(tmp_path)
    runner.seed_venv(INSTALLED)
    for name, text in {"bad": BAD, "clean": CLEAN, "my dir": BAD}.items():
        (runner.workspace / name).mkdir()
        (runner.workspace / name / "Dockerfile").write_text(text)
    return runner


def check_supports_failure_threshold() -> bool:
    helped = subprocess.run([str(INSTALLED), "check", "--help"], capture_output=True, text=True, check=True)
    return "--failure-threshold" in helped.stdout


# --- action.yml itself ------------------------------------------------------------------------


def test_action_is_composite_and_its_scripts_take_inputs_from_env_only() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {name: spec.get("default") for name, spec in ACTION["inputs"].items()} == {
        "paths": ".", "format": "github", "failure-threshold": "info", "sarif-file": "pip-cache-lsp.sarif",
        "extra-args": "", "python-version": ""}
    assert all(spec["description"] for spec in ACTION["inputs"].values())
    steps = ACTION["runs"]["steps"]
    (setup_python,) = [step for step in steps if "uses" in step]
    assert setup_python["uses"] == "actions/setup-python@v5"
    run_steps = [step for step in steps if "run" in step]
    mapped: set[str] = set()
    for step in run_steps:
        assert step["shell"] == "bash", step
        assert "${{" not in step["run"], f"expression in a run: script (script injection): {step['run']!r}"
        script = re.fullmatch(r'bash "\$GITHUB_ACTION_PATH/(action/[\w.]+\.sh)"', step["run"].strip())
        assert script, step["run"]
        assert (ROOT / script[1]).is_file()
        for value in step.get("env", {}).values():
            mapped |= {m[1].removeprefix("inputs.") for m in EXPRESSION.finditer(str(value))}
    assert {m for m in mapped if not m.startswith("steps.")} == set(ACTION["inputs"]) - {"python-version"}
    for spec in ACTION["outputs"].values():
        assert re.fullmatch(r"\$\{\{ steps\.check\.outputs\.[\w-]+ \}\}", spec["value"])


# --- the steps, run -------------------------------------------------------------------------


def test_github_format_annotates_and_fails_on_findings(runner: Runner) -> None:
    run = runner.run(paths="bad\nclean")
    assert [step.id for step in run.steps] == ["install", "check"]
    assert run.steps[0].outputs == {"bin": str(runner.venv / "bin" / "pip-cache-lsp")}
    assert f"pip-cache-lsp {__version__}" in run.steps[0].stdout
    assert run.returncode == 1, run.stderr
    assert run.annotations() == [WARNING.format("bad/Dockerfile") + "pip install without --no-cache-dir: pip's "
                                 "download cache stays in the image layer; add --no-cache-dir (or set PIP_NO_CACHE_DIR=1)"]
    assert run.steps[1].outputs == {"sarif-file": "", "exit-code": "1"}
    assert run.outputs == {"sarif-file": "", "exit-code": "1"}


def test_clean_dockerfile_passes(runner: Runner) -> None:
    run = runner.run(paths="clean")
    assert run.returncode == 0, run.stderr
    assert run.annotations() == []
    assert run.outputs == {"sarif-file": "", "exit-code": "0"}


def test_default_paths_walk_the_workspace(runner: Runner) -> None:
    run = runner.run()
    assert run.returncode == 1
    assert sorted(line.split(",")[0] for line in run.annotations()) == [
        "::warning file=bad/Dockerfile", "::warning file=my dir/Dockerfile"]


def test_sarif_is_written_valid_and_the_step_still_fails(runner: Runner) -> None:
    run = runner.run(paths='bad "my dir"  clean', format="sarif", sarif_file="reports/code scanning.sarif")
    assert run.returncode == 1, "findings fail the step after the SARIF file is written"
    sarif = runner.workspace / "reports" / "code scanning.sarif"
    log = json.loads(sarif.read_text())
    jsonschema.validate(log, SCHEMA)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]
    assert sorted(uris) == ["bad/Dockerfile", "my%20dir/Dockerfile"]
    assert run.annotations() == [], "SARIF goes to the file, not to the log"
    assert run.outputs == {"sarif-file": "reports/code scanning.sarif", "exit-code": "1"}


def test_sarif_default_file_on_a_clean_tree(runner: Runner) -> None:
    run = runner.run(paths="clean", format="sarif")
    assert run.returncode == 0, run.stderr
    log = json.loads((runner.workspace / "pip-cache-lsp.sarif").read_text())
    jsonschema.validate(log, SCHEMA)
    assert log["runs"][0]["results"] == []
    assert run.outputs == {"sarif-file": "pip-cache-lsp.sarif", "exit-code": "0"}


def test_text_and_json_formats(runner: Runner) -> None:
    text = runner.run(paths="'my dir'", format="text")
    assert text.returncode == 1
    assert text.steps[1].stdout.startswith("my dir/Dockerfile:2:5: pip-no-cache-dir ")
    as_json = runner.run(paths="'my dir'", format="json")
    assert [f["path"] for f in json.loads(as_json.steps[1].stdout)] == ["my dir/Dockerfile"]


def test_extra_args_reach_check(runner: Runner) -> None:
    run = runner.run(paths="bad", extra_args="--severity error")
    assert run.annotations()[0].startswith("::error file=bad/Dockerfile,")
    assert runner.run(paths="bad", extra_args="--exit-zero").returncode == 0


def test_hostile_inputs_are_words_not_commands(runner: Runner) -> None:
    run = runner.run(paths='"my dir" $(touch pwned1) `touch pwned2` ; touch pwned3 && touch pwned4',
                     extra_args="$(touch pwned5)", sarif_file="$(touch pwned6).sarif")
    assert run.returncode == 2, "the hostile words are paths that do not exist: an I/O error"
    assert "$(touch: no such file or directory" in run.stderr
    assert run.annotations()[0].startswith(WARNING.format("my dir/Dockerfile")), "the real path is still checked"
    assert run.outputs["exit-code"] == "2"
    run = runner.run(paths="bad", format="sarif", sarif_file="$(touch pwned7)'\n.sarif")
    assert run.returncode == 1
    assert (runner.workspace / "$(touch pwned7)'\n.sarif").is_file()
    assert run.outputs["sarif-file"] == "$(touch pwned7)'\n.sarif", "a newline travels in GITHUB_OUTPUT's block form"
    runner.no_command_ran()


@pytest.mark.parametrize(("name", "value"), [("format", "github; touch pwned"), ("format", "sarif\n"),
                                             ("failure_threshold", "$(touch pwned)"), ("failure_threshold", "style")])
def test_invalid_choice_is_refused(runner: Runner, name: str, value: str) -> None:
    run = runner.run(paths="bad", **{name: value})
    assert run.returncode == 2
    assert run.annotations()[0].startswith("::error title=pip-cache-lsp action::")
    runner.no_command_ran()


def test_unbalanced_quotes_are_refused(runner: Runner) -> None:
    run = runner.run(paths="'bad")
    assert run.returncode == 2
    assert run.annotations() == ["::error title=pip-cache-lsp action::cannot split the paths input into words "
                                 "(unbalanced quotes?)"]


# --- failure-threshold ----------------------------------------------------------------------


def fake_check(runner: Runner, help_text: str) -> Path:
    """A pip-cache-lsp stand-in that records its arguments (one per line) and fails like findings."""
    fake = runner.tmp / "fake-pip-cache-lsp"
    fake.write_text(f"""#!/usr/bin/env bash
if [ "$2" = --help ]; then echo '{help_text}'; exit 0; fi
[ "$1" = --version ] && exit 0
printf '%s\\n' "$@" > "{runner.tmp}/argv"
exit 1
""")
    fake.chmod(0o755)
    (runner.venv / "bin" / "pip-cache-lsp").unlink()
    (runner.venv / "bin" / "pip-cache-lsp").symlink_to(fake)
    return runner.tmp / "argv"


def test_failure_threshold_is_passed_when_check_has_it(runner: Runner) -> None:
    argv = fake_check(runner, "usage: pip-cache-lsp check [--failure-threshold {error,warning,info,none}]")
    run = runner.run(paths="a 'b c'\nd", failure_threshold="error", extra_args="--severity error")
    assert run.returncode == 1 and run.outputs["exit-code"] == "1"
    assert argv.read_text().split("\n")[:-1] == [
        "check", "--format", "github", "--failure-threshold", "error", "--severity", "error", "--", "a", "b c", "d"]


def test_failure_threshold_without_support_in_check(runner: Runner) -> None:
    argv = fake_check(runner, "usage: pip-cache-lsp check [--exit-zero]")
    runner.run(paths="a", failure_threshold="info")
    assert argv.read_text().split("\n")[:-1] == ["check", "--format", "github", "--", "a"]
    runner.run(paths="a", failure_threshold="none")
    assert argv.read_text().split("\n")[:-1] == ["check", "--format", "github", "--exit-zero", "--", "a"]
    run = runner.run(paths="a", failure_threshold="warning")
    assert argv.read_text().split("\n")[:-1] == ["check", "--format", "github", "--", "a"]
    assert "::warning title=pip-cache-lsp action::this pip-cache-lsp has no --failure-threshold" in run.stdout


def test_failure_threshold_with_the_real_check(runner: Runner) -> None:
    assert runner.run(paths="bad", failure_threshold="info").returncode == 1
    assert runner.run(paths="bad", failure_threshold="none").returncode == 0
    if not check_supports_failure_threshold():
        pytest.skip("pip-cache-lsp check has no --failure-threshold yet: the action falls back to failing on "
                    "every finding (info) or --exit-zero (none); the error/warning thresholds are not checked")
    passed = runner.run(paths="bad", failure_threshold="error")  # findings are warnings by default
    assert passed.returncode == 0 and passed.outputs["exit-code"] == "0"
    assert passed.annotations()[0].startswith(WARNING.format("bad/Dockerfile")), "still reported"
    assert runner.run(paths="bad", failure_threshold="warning").returncode == 1
    assert runner.run(paths="bad", failure_threshold="error", extra_args="--severity error").returncode == 1


# --- the install step, for real ---------------------------------------------------------------


def test_install_step_installs_this_checkout_into_a_fresh_virtualenv(tmp_path: Path) -> None:
    """No seeded virtualenv: install.sh runs `pip install "$GITHUB_ACTION_PATH"` (needs PyPI, ~10 s)."""
    runner = Runner(tmp_path)
    (runner.workspace / "Dockerfile").write_text(BAD)
    run = runner.run()
    assert run.steps[0].returncode == 0, run.stderr
    installed = runner.venv / "bin" / "pip-cache-lsp"
    assert run.steps[0].outputs == {"bin": str(installed)}
    assert not installed.is_symlink()
    assert run.returncode == 1
    assert run.annotations()[0].startswith(WARNING.format("Dockerfile"))
    origin = subprocess.run([str(runner.venv / "bin" / "python"), "-c",
                             "import pip_cache_lsp; print(pip_cache_lsp.__file__); print(pip_cache_lsp.__version__)"],
                            capture_output=True, text=True, check=True).stdout.splitlines()
    assert origin[1] == __version__
    assert Path(origin[0]).is_relative_to(runner.venv), "a copy in the virtualenv, not this checkout"
    again = runner.run()
    assert f"pip-cache-lsp already installed in {runner.venv}" in again.steps[0].stdout
    assert again.returncode == 1


# --- README ---------------------------------------------------------------------------------


def test_readme_workflow_uses_the_actions_inputs() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### GitHub Action", 1)[1]
    workflow = yaml.safe_load(section.split("```yaml\n", 1)[1].split("```", 1)[0])
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    steps = {step.get("id", step.get("uses")): step for step in job["steps"]}
    (ours,) = [step for step in job["steps"] if step.get("uses", "").startswith("pip-cache-lsp/pip-cache-lsp@")]
    assert ours["uses"] == "pip-cache-lsp/pip-cache-lsp@v1"
    assert set(ours["with"]) <= set(ACTION["inputs"])
    upload = steps["github/codeql-action/upload-sarif@v3"]
    assert upload["if"] == "always()"
    assert upload["with"]["sarif_file"] in (ours["with"].get("sarif-file", "pip-cache-lsp.sarif"),
                                            f"${{{{ steps.{ours['id']}.outputs.sarif-file }}}}")
