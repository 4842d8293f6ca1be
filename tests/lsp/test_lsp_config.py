"""Settings: initializationOptions, workspace/didChangeConfiguration, bad values.

Each test starts a server of its own (the options are fixed at initialize).
"""

from __future__ import annotations

import pytest
from lsprotocol import types
from lsputil import Session, capabilities, fresh_session

pytestmark = pytest.mark.asyncio(loop_scope="session")

ENV_COVERED = "FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a\n"
PLAIN = "FROM python\nRUN pip install b\n"
Severity = types.DiagnosticSeverity
Kind = types.MessageType


def uri(name: str) -> str:
    return f"file:///w/config/{name}/Dockerfile"


def open_both(session: Session) -> tuple[str, str]:
    env, plain = uri("env"), uri("plain")
    session.open(env, ENV_COVERED)
    session.open(plain, PLAIN)
    return env, plain


def configure(session: Session, settings: object) -> None:
    session.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))


async def shown(session: Session, u: str) -> list[tuple[types.Range, Severity]]:
    return [(d.range, d.severity) for d in await session.diagnostics(u)]


async def test_initialization_options_apply():
    options = {"enable": True, "severity": "error", "honourEnv": False}
    async with fresh_session("vscode", options) as session:
        env, plain = open_both(session)
        assert await session.diagnostics(env) == session.expected(env, "pip install", severity=Severity.Error)
        assert await session.diagnostics(plain) == session.expected(plain, "pip install", severity=Severity.Error)
        assert any("honour_env=False" in m and "Error" in m for m in session.logs())
        assert session.logs(kind=Kind.Warning) == []


async def test_initialization_options_under_section_and_disabled():
    async with fresh_session("vscode", {"pipCacheLsp": {"enable": False}}) as session:
        env, plain = open_both(session)
        assert await session.diagnostics(env) == []
        assert await session.diagnostics(plain) == []
        assert await session.actions(plain, session.expected(plain, "pip install")[0].range) == []


@pytest.mark.parametrize("name", ["vscode", "neovim"])
async def test_did_change_configuration_rechecks_open_documents(name: str):
    async with fresh_session(name) as session:
        env, plain = open_both(session)
        assert await session.diagnostics(env) == []
        assert await session.diagnostics(plain) == session.expected(plain, "pip install")

        configure(session, {"pipCacheLsp": {"severity": "hint"}})
        if not session.pull:  # re-published, both documents, same versions, without any edit
            published = await session.take()
            assert sorted((p.uri, p.version, len(p.diagnostics)) for p in published) == [(env, 1, 0), (plain, 1, 1)]
            session.client.published.extend(published)  # let diagnostics() read them
        assert await session.diagnostics(plain) == session.expected(plain, "pip install", severity=Severity.Hint)
        assert await session.diagnostics(env) == []

        configure(session, {"pipCacheLsp": {"severity": "hint", "honourEnv": False}})
        assert await session.diagnostics(env) == session.expected(env, "pip install", severity=Severity.Hint)
        assert await session.diagnostics(plain) == session.expected(plain, "pip install", severity=Severity.Hint)

        configure(session, {"pipCacheLsp": {"enable": False}})
        assert await session.diagnostics(env) == []
        assert await session.diagnostics(plain) == []
        session.edit(plain, 0, 0, "# still off\n")
        assert await session.diagnostics(plain) == []

        configure(session, {"pipCacheLsp": {"enable": True, "severity": "information", "honourEnv": True}})
        assert await session.diagnostics(env) == []
        assert await session.diagnostics(plain) == session.expected(plain, "pip install", severity=Severity.Information)
        assert sum("settings changed" in m for m in session.logs()) == 4


async def test_unchanged_configuration_publishes_nothing():
    async with fresh_session("vscode", {"severity": "error"}) as session:
        _, plain = open_both(session)
        await session.take()
        configure(session, {"pipCacheLsp": {"severity": "Error"}})
        assert await session.take() == []


async def test_pull_client_with_refresh_support_is_asked_to_refresh():
    caps = capabilities("neovim")
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    async with fresh_session("neovim", caps=caps) as session:
        _, plain = open_both(session)
        configure(session, {"pipCacheLsp": {"severity": "error"}})
        await session.barrier()
        assert session.client.diagnostic_refresh_count == 1
        assert await session.diagnostics(plain) == session.expected(plain, "pip install", severity=Severity.Error)


async def test_settings_fetched_with_workspace_configuration_when_not_pushed():
    """VS Code style: didChangeConfiguration carries nothing of ours; the server asks."""
    async with fresh_session("vscode") as session:
        _, plain = open_both(session)
        await session.diagnostics(plain)
        session.client.set_configuration({"severity": "error"}, section="pipCacheLsp")
        configure(session, None)
        await session.barrier()  # the server's workspace/configuration round trip follows the notification
        await session.barrier()
        assert await session.diagnostics(plain) == session.expected(plain, "pip install", severity=Severity.Error)
        session.client.set_configuration({"severity": "hint"}, section="pipCacheLsp")
        configure(session, {"editor": {"tabSize": 4}})
        await session.barrier()
        await session.barrier()
        assert await session.diagnostics(plain) == session.expected(plain, "pip install", severity=Severity.Hint)


async def test_invalid_initialization_options_are_logged_and_defaulted():
    options = {"enable": "yes", "severity": "loud", "honourEnv": 1}
    async with fresh_session("vscode", options) as session:
        env, plain = open_both(session)
        assert await session.diagnostics(env) == []  # honourEnv stays on
        assert await session.diagnostics(plain) == session.expected(plain, "pip install")  # enabled, Warning
        warnings = session.logs(kind=Kind.Warning)
        assert len(warnings) == 3
        assert any("enable" in w and "'yes'" in w for w in warnings)
        assert any("severity" in w and "'loud'" in w for w in warnings)
        assert any("honourEnv" in w and "1" in w for w in warnings)


@pytest.mark.parametrize("options", ["nonsense", ["enable"], 42])
async def test_initialization_options_not_an_object(options: object):
    async with fresh_session("vscode", options) as session:
        _, plain = open_both(session)
        assert await session.diagnostics(plain) == session.expected(plain, "pip install")
        assert [w for w in session.logs(kind=Kind.Warning) if "not an object" in w]


async def test_invalid_changed_values_fall_back_to_defaults():
    """The object sent is the whole configuration: a bad value (null for a boolean) takes its default."""
    async with fresh_session("vscode", {"severity": "error"}) as session:
        _, plain = open_both(session)
        await session.take()
        before = len(session.client.log_messages)
        configure(session, {"pipCacheLsp": {"severity": 3, "enable": None}})
        assert await session.diagnostics(plain) == session.expected(plain, "pip install", severity=Severity.Warning)
        warnings = session.logs(before, Kind.Warning)
        assert len(warnings) == 2 and any("severity" in w for w in warnings), warnings
        assert any("enable must be true or false, not null; using True" in w for w in warnings), warnings
        before = len(session.client.log_messages)
        configure(session, {"pipCacheLsp": {"severity": "error"}})
        configure(session, {"pipCacheLsp": "off"})
        configure(session, {"pipCacheLsp": {"severity": "error", "severty": "hint"}})
        assert await session.diagnostics(plain) == session.expected(plain, "pip install", severity=Severity.Error)
        warnings = session.logs(before, Kind.Warning)
        assert warnings == ["ignoring settings that are not an object: 'off'",
                            "ignoring 1 unknown setting(s) 'severty' "
                            "(known: builderStages, enable, honourEnv, ignore, lineBreaks, maxDiagnostics, maxFileSize, "
                            "offerCacheMount, select, severity)"], warnings
        session.edit(plain, 0, 0, "# edit\n")
        assert await session.diagnostics(plain) == session.expected(plain, "pip install", severity=Severity.Error)


async def test_left_out_key_takes_its_default_not_its_previous_value():
    """Issue 17: a didChangeConfiguration object that leaves a key out resets that key."""
    async with fresh_session("vscode", {"severity": "error", "honourEnv": False}) as session:
        env, plain = open_both(session)
        assert await session.diagnostics(env) == session.expected(env, "pip install", severity=Severity.Error)
        configure(session, {"pipCacheLsp": {"severity": "hint"}})  # honourEnv left out: back to true
        assert await session.diagnostics(env) == []
        assert await session.diagnostics(plain) == session.expected(plain, "pip install", severity=Severity.Hint)
        configure(session, {"pipCacheLsp": {}})  # everything left out: every default
        assert await session.diagnostics(plain) == session.expected(plain, "pip install", severity=Severity.Warning)


async def test_unknown_keys_are_reported_once():
    """100,000 unknown keys give one summarised warning, not one log message each."""
    async with fresh_session("vscode") as session:
        _, plain = open_both(session)
        before = len(session.client.log_messages)
        configure(session, {"pipCacheLsp": {f"k{i}": i for i in range(100_000)}})
        assert await session.diagnostics(plain) == session.expected(plain, "pip install")
        warnings = session.logs(before, Kind.Warning)
        assert len(warnings) == 1 and "100000 unknown setting(s)" in warnings[0] and "and 99995 more" in warnings[0]
