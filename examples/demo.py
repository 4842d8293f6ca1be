"""The main job, end to end: an editor session with the real server over stdio.

Opens ``examples/Dockerfile`` the way an editor does, prints the diagnostics as
a problems list, asks for the quick fix of each one and applies it through
incremental ``didChange`` edits (exactly what an editor sends), then prints the
final text as a diff and shuts the server down.  Finally the CLI checks the
same file, as CI would.
"""

from __future__ import annotations

import asyncio
import difflib
import subprocess
import sys
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

SEVERITY = {1: "error", 2: "warning", 3: "info", 4: "hint"}


class Editor:
    """Just enough of an editor: one buffer, its version, the latest diagnostics."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.uri = path.resolve().as_uri()
        self.text = path.read_text(encoding="utf-8")
        self.version = 1
        self.client = LanguageClient("pip-cache-lsp-demo", "1")
        self.diagnostics: asyncio.Queue[list[types.Diagnostic]] = asyncio.Queue()

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def on_log(params: types.LogMessageParams) -> None:
            """The server's log (an editor's output panel); the demo keeps its screen for the problems."""

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            if params.uri == self.uri and params.version == self.version:
                self.diagnostics.put_nowait(list(params.diagnostics))

    def offset(self, position: types.Position) -> int:
        """UTF-16 position -> index into self.text (the demo negotiates UTF-16, like VS Code)."""
        lines = self.text.splitlines(keepends=True)
        start = sum(len(line) for line in lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units = index = 0
        while index < len(line) and units < position.character:
            units += 2 if ord(line[index]) > 0xFFFF else 1
            index += 1
        return start + index

    async def apply(self, edits: list[types.TextEdit]) -> None:
        """Apply edits to the buffer and send each as an incremental change."""
        for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            start, end = self.offset(edit.range.start), self.offset(edit.range.end)
            self.text = self.text[:start] + edit.new_text + self.text[end:]
            self.version += 1
            self.client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=[types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)]))


def problems(editor: Editor, diagnostics: list[types.Diagnostic]) -> None:
    lines = editor.text.splitlines()
    for d in diagnostics:
        start = d.range.start
        print(f"  {editor.path}:{start.line + 1}:{start.character + 1}  {SEVERITY.get(d.severity or 2)}  "
              f"[{d.source} {d.code}]")
        print(f"      {lines[start.line].strip()}")
    print(f"  {len(diagnostics)} problem(s)")


async def session(path: Path) -> None:
    editor = Editor(path)
    original = editor.text
    await editor.client.start_io(sys.executable, "-m", "pip_cache_lsp", "serve")
    init = await editor.client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.PlainText]))),
        process_id=None))
    editor.client.initialized(types.InitializedParams())
    print(f"server: {init.server_info.name} {init.server_info.version}, "
          f"positions in {init.capabilities.position_encoding}")
    editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=editor.uri, language_id="dockerfile", version=1, text=editor.text)))
    diagnostics = await asyncio.wait_for(editor.diagnostics.get(), 10)
    print("\nPROBLEMS after opening:")
    problems(editor, diagnostics)

    first = diagnostics[0]
    hover = await editor.client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=editor.uri), position=first.range.start))
    if hover is not None and isinstance(hover.contents, types.MarkupContent):
        print(f"\nHOVER on line {first.range.start.line + 1} (why it is reported):")
        for line in hover.contents.value.splitlines()[:14]:
            print(f"  {line}")
    offered = await editor.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=editor.uri), range=first.range,
        context=types.CodeActionContext(diagnostics=[first], only=[types.CodeActionKind.QuickFix])))
    print(f"\nQUICK FIXES offered on line {first.range.start.line + 1} (each checked on a copy first):")
    for action in offered or []:
        print(f"  {'*' if getattr(action, 'is_preferred', False) else ' '} {action.title}")

    print("\nApplying the preferred quick fix of each problem (Ctrl+. in an editor):")
    while diagnostics:
        target = diagnostics[0]
        actions = await editor.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=editor.uri), range=target.range,
            context=types.CodeActionContext(diagnostics=[target], only=[types.CodeActionKind.QuickFix])))
        fix = next(a for a in actions or [] if isinstance(a, types.CodeAction) and a.is_preferred)
        assert fix.edit is not None and fix.edit.changes is not None
        await editor.apply(fix.edit.changes[editor.uri])
        diagnostics = await asyncio.wait_for(editor.diagnostics.get(), 10)
        print(f"  line {target.range.start.line + 1}: {fix.title!r} -> {len(diagnostics)} problem(s) left")

    print("\nThe buffer now differs from the file on disk by:")
    sys.stdout.writelines(difflib.unified_diff(original.splitlines(keepends=True),
                                               editor.text.splitlines(keepends=True),
                                               f"a/{path}", f"b/{path} (buffer)"))
    await editor.client.shutdown_async(None)
    editor.client.exit(None)
    await editor.client.stop()
    print("\nserver shut down cleanly")


def main(path: str) -> int:
    asyncio.run(session(Path(path)))
    print(f"\nThe same check from the command line, as CI runs it:\n$ pip-cache-lsp check {path}")
    done = subprocess.run([sys.executable, "-m", "pip_cache_lsp", "check", path], check=False)
    print(f"(exit code {done.returncode}: 0 clean, 1 findings, 2 error)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "examples/Dockerfile"))
