"""Adding a rule touches no adapter: an extra rule shows up in every output and in the editor.

``tests/extra/apk_rule.py`` is a small rule (``apk add`` without ``--no-cache``) defined
outside the package.  Registered, it must appear in the CLI's text/JSON/GitHub/SARIF
output (SARIF's rules array and each result's ``ruleIndex``), obey suppression
comments by its code and its alias, be fixed by ``--fix``, and reach an LSP client
as a diagnostic with its own code, link and severity, a quick fix, and a settings switch.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig

sys.path.insert(0, str(Path(__file__).parent / "extra"))
sys.path.insert(0, str(Path(__file__).parent / "lsp"))

import apk_rule  # noqa: E402
from lsputil import initialize, make_client, stop  # noqa: E402

from pip_cache_lsp import rules  # noqa: E402
from pip_cache_lsp.cli import main  # noqa: E402

DOCKERFILE = "FROM alpine\nRUN apk add curl && pip install flask\n"


@pytest.fixture
def apk() -> Iterator[None]:
    apk_rule.install()
    yield
    rules.unregister(apk_rule.RULE.code)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().out


def test_sarif_lists_the_new_rule_and_points_results_at_it(apk: None, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(DOCKERFILE)
    code, out = run(["check", "--format", "sarif", str(path)], capsys)
    assert code == 1
    run_ = json.loads(out)["runs"][0]
    driver_rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in driver_rules] == ["pip-no-cache-dir", "uv-no-cache", "apk-no-cache"]
    apk_sarif = driver_rules[2]
    assert apk_sarif["name"] == "ApkAddWithoutNoCache" and apk_sarif["helpUri"] == "https://example.invalid/apk-no-cache"
    assert apk_sarif["defaultConfiguration"] == {"level": "error"}
    results = {r["ruleId"]: r for r in run_["results"]}
    assert results["apk-no-cache"]["ruleIndex"] == 2 and results["pip-no-cache-dir"]["ruleIndex"] == 0
    assert results["apk-no-cache"]["level"] == "error" and results["pip-no-cache-dir"]["level"] == "warning"
    assert results["apk-no-cache"]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2, "startColumn": 5, "endLine": 2, "endColumn": 12}
    assert results["apk-no-cache"]["fixes"][0]["description"]["text"] == "Add --no-cache"


def test_text_json_github_and_fix(apk: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(DOCKERFILE)
    _, out = run(["check", str(path)], capsys)
    assert f"{path}:2:5: apk-no-cache apk add without --no-cache" in out
    _, out = run(["check", "--format", "json", str(path)], capsys)
    assert sorted(row["code"] for row in json.loads(out)) == ["apk-no-cache", "pip-no-cache-dir"]
    _, out = run(["check", "--format", "github", str(path)], capsys)
    assert f"::error file={path},line=2,col=5,endLine=2,endColumn=12,title=apk-no-cache::" in out
    run(["check", "--fix", str(path)], capsys)
    assert path.read_text() == "FROM alpine\nRUN apk add --no-cache curl && pip install --no-cache-dir flask\n"


@pytest.mark.parametrize("comment, left", [
    ("# pip-cache-lsp: ignore=apk-no-cache", ["pip-no-cache-dir"]),
    ("# hadolint ignore=DL3019", ["pip-no-cache-dir"]),
    ("# hadolint ignore=DL3042,DL3019", []),
    ("# pip-cache-lsp: ignore", []),
    ("# pip-cache-lsp: ignore=pip-no-cache-dir", ["apk-no-cache"]),
])
def test_suppression_by_code_and_alias(apk: None, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       comment: str, left: list[str]) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(DOCKERFILE.replace("RUN", f"{comment}\nRUN"))
    _, out = run(["check", "--format", "json", str(path)], capsys)
    assert sorted(row["code"] for row in json.loads(out)) == left


def test_file_level_disable_by_code(apk: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("# pip-cache-lsp: disable-file=apk-no-cache\n" + DOCKERFILE)
    _, out = run(["check", "--format", "json", str(path)], capsys)
    assert [row["code"] for row in json.loads(out)] == ["pip-no-cache-dir"]


SERVER = [sys.executable, str(Path(__file__).parent / "extra" / "serve_with_apk_rule.py")]


@pytest.mark.asyncio(loop_scope="function")
async def test_lsp_session_shows_fixes_and_selects_the_new_rule() -> None:
    client = await ClientServerConfig(server_command=SERVER, client_factory=make_client).start()
    try:
        session = await initialize(client, "vscode", {"select": ["apk-no-cache"]})
        uri = "file:///w/extra/Dockerfile"
        session.open(uri, DOCKERFILE)
        diagnostics = await session.diagnostics(uri)
        assert [(d.code, d.severity, d.code_description.href if d.code_description else None, d.message)
                for d in diagnostics] == [
            ("apk-no-cache", types.DiagnosticSeverity.Error, "https://example.invalid/apk-no-cache",
             "apk add without --no-cache: the package index stays in the image layer")]
        assert diagnostics[0].range == types.Range(types.Position(1, 4), types.Position(1, 11))
        actions = await session.actions(uri, diagnostics[0].range)
        assert [a.title for a in actions] == ["Add --no-cache", "Ignore for this instruction (# pip-cache-lsp: ignore)",
                                              "Add --no-cache to every apk add"]
        assert session.apply(uri, actions[0].edit.changes[uri]) == DOCKERFILE.replace("add", "add --no-cache")
        assert await session.diagnostics(uri) == []
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"pipCacheLsp": {}}))
        assert [d.code for d in await session.diagnostics(uri)] == ["pip-no-cache-dir"]
        await client.shutdown_session()
    finally:
        await stop(client)
