"""BuildKit's RUN dispatch pieces: a lone heredoc, the shebang of a heredoc script."""

from __future__ import annotations

import pytest

from pip_cache_lsp.run import is_lone_heredoc, shebang_shell


@pytest.mark.parametrize(("command", "lone"), [
    ("<<EOF", True), ("<<-EOF", True), ("3<<EOF", True), ("<< EOF", True), ("<<'E F'", True), ("<<EOF ", True),
    ("<<EOF sh", False), ("<<A <<B", False), ("sh <<EOF", False), ("<<", False), ("<<-", False),
])
def test_is_lone_heredoc(command: str, lone: bool) -> None:
    """``dispatchRun``: ``MustParseHeredoc`` on the whole command line (one word after ``<<``)."""
    assert is_lone_heredoc(command) is lone


@pytest.mark.parametrize(("script", "shell"), [
    ("pip install x\n", None),
    ("#!/bin/sh\n", "sh"), ("#!/bin/bash -e\n", "bash"), ("#! /bin/dash\n", "dash"),
    ("#!/usr/bin/env bash\n", "bash"), ("#!/usr/bin/env -S bash -e\n", "bash"),
    ("#!/usr/bin/env -S -i A=1 bash -e\n", "bash"), ("#!/usr/bin/env --split-string=bash -e\n", "bash"),
    ("#!/usr/bin/env bash -e\n", ""),  # one argument, "bash -e": no such program
    ("#!/bin/busybox sh\n", "ash"), ("#!/bin/busybox cat\n", ""), ("#!/usr/bin/python3\n", ""), ("#!/usr/bin/env python3\n", ""),
    ("#!\n", ""),
])
def test_shebang_shell(script: str, shell: str | None) -> None:
    assert shebang_shell(script) == shell


def test_shebang_after_tabs_with_chomp() -> None:
    """``<<-`` strips leading tabs before BuildKit looks for ``#!`` (``ChompHeredocContent``)."""
    assert shebang_shell("\t#!/bin/bash\n", chomp=True) == "bash"
    assert shebang_shell("\t#!/bin/bash\n") is None
