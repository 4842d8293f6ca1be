"""pip-no-cache-dir, exact (issue 13): pip's own options, its environment, more ways to run it.

Same style as ``tests/test_rule.py``: each caught case lists its findings as
``(line, column, end_line, end_column)`` (0-based code points, end exclusive) and
the text after every fix; the fixed text must be clean and fixing idempotent.
"""

from __future__ import annotations

import pytest

from pip_cache_lsp.document import Document
from rule_table import Range, assert_caught
from rule_table import ranges as table_ranges

PIP = frozenset({"pip-no-cache-dir"})

def ranges(doc: Document, selected: frozenset[str] = PIP) -> list[Range]:
    return table_ranges(doc, selected)


CAUGHT: list[tuple[str, str, list[Range], str]] = [
    # §3 pip's own options
    ("--cache-dir after --no-cache-dir turns it back on", "RUN pip install --no-cache-dir --cache-dir /c x\n",
     [(0, 4, 0, 15)], "RUN pip install --no-cache-dir --cache-dir /c --no-cache-dir x\n"),
    ("--cache-dir= after the flag", "RUN pip --no-cache-dir install --cache-dir=/c x\n",
     [(0, 4, 0, 30)], "RUN pip --no-cache-dir install --cache-dir=/c --no-cache-dir x\n"),
    ("--cache-dir beats PIP_NO_CACHE_DIR", "ENV PIP_NO_CACHE_DIR=1\nRUN pip install --cache-dir /c x\n",
     [(1, 4, 1, 15)], "ENV PIP_NO_CACHE_DIR=1\nRUN pip install --cache-dir /c --no-cache-dir x\n"),
    ("abbreviated --cache-dir beats an inline variable", "RUN PIP_NO_CACHE_DIR=1 pip install --cache /c x\n",
     [(0, 23, 0, 34)], "RUN PIP_NO_CACHE_DIR=1 pip install --cache /c --no-cache-dir x\n"),
    ("--cache-dir moves the cache away from the mount",
     "RUN --mount=type=cache,target=/root/.cache/pip pip install --cache-dir /c x\n", [(0, 47, 0, 58)],
     "RUN --mount=type=cache,target=/root/.cache/pip pip install --cache-dir /c --no-cache-dir x\n"),
    ("--cache-dir elsewhere than the cleanup", "RUN pip install --cache-dir /c x && rm -rf /root/.cache\n",
     [(0, 4, 0, 15)], "RUN pip install --cache-dir /c --no-cache-dir x && rm -rf /root/.cache\n"),
    ("--isolated ignores ENV", "ENV PIP_NO_CACHE_DIR=1\nRUN pip install --isolated x\n", [(1, 4, 1, 15)],
     "ENV PIP_NO_CACHE_DIR=1\nRUN pip install --no-cache-dir --isolated x\n"),
    ("--isolated before the subcommand ignores export", "RUN export PIP_NO_CACHE_DIR=1 && pip --isolated install x\n",
     [(0, 33, 0, 55)], "RUN export PIP_NO_CACHE_DIR=1 && pip --isolated install --no-cache-dir x\n"),
    ("--isolated ignores PIP_CACHE_DIR",
     "ENV PIP_CACHE_DIR=/c\nRUN --mount=type=cache,target=/c pip install --isolated x\n", [(1, 33, 1, 44)],
     "ENV PIP_CACHE_DIR=/c\nRUN --mount=type=cache,target=/c pip install --no-cache-dir --isolated x\n"),
    ("--isolated ignores the user's configuration",
     "RUN pip config set global.no-cache-dir 1\nRUN pip install --isolated x\n", [(1, 4, 1, 15)],
     "RUN pip config set global.no-cache-dir 1\nRUN pip install --no-cache-dir --isolated x\n"),
    ("pip download", "RUN pip download -d /w x\n", [(0, 4, 0, 16)], "RUN pip download --no-cache-dir -d /w x\n"),
    ("pip wheel", "RUN python3 -m pip wheel -w /w x\n", [(0, 4, 0, 24)],
     "RUN python3 -m pip wheel --no-cache-dir -w /w x\n"),
    ("pip wheel in exec form", 'RUN ["pip", "wheel", "x"]\n', [(0, 5, 0, 19)],
     'RUN ["pip", "wheel", "--no-cache-dir", "x"]\n'),
    ("config for install does not cover download",
     "RUN pip config set install.no-cache-dir 1\nRUN pip download x\n", [(1, 4, 1, 16)],
     "RUN pip config set install.no-cache-dir 1\nRUN pip download --no-cache-dir x\n"),
    ("config unset later", "RUN pip config set global.no-cache-dir 1\nRUN pip config unset global.no-cache-dir\n"
     "RUN pip install x\n", [(2, 4, 2, 15)],
     "RUN pip config set global.no-cache-dir 1\nRUN pip config unset global.no-cache-dir\n"
     "RUN pip install --no-cache-dir x\n"),
    ("config empty value", "RUN pip config set global.no-cache-dir ''\nRUN pip install x\n", [(1, 4, 1, 15)],
     "RUN pip config set global.no-cache-dir ''\nRUN pip install --no-cache-dir x\n"),
    ("config not a boolean", "RUN pip config set global.no-cache-dir maybe\nRUN pip install x\n", [(1, 4, 1, 15)],
     "RUN pip config set global.no-cache-dir maybe\nRUN pip install --no-cache-dir x\n"),
    ("config in another stage", "FROM a AS one\nRUN pip config set global.no-cache-dir 1\nFROM b\nRUN pip install x\n",
     [(3, 4, 3, 15)],
     "FROM a AS one\nRUN pip config set global.no-cache-dir 1\nFROM b\nRUN pip install --no-cache-dir x\n"),
    ("user config of another user", "FROM a\nRUN pip config set global.no-cache-dir 1\nUSER app\n"
     "ENV HOME=/home/app\nRUN pip install x\n", [(4, 4, 4, 15)],
     "FROM a\nRUN pip config set global.no-cache-dir 1\nUSER app\nENV HOME=/home/app\n"
     "RUN pip install --no-cache-dir x\n"),
    ("config in a conditional does not count", "RUN if x; then pip config set global.no-cache-dir 1; fi\n"
     "RUN pip install x\n", [(1, 4, 1, 15)],
     "RUN if x; then pip config set global.no-cache-dir 1; fi\nRUN pip install --no-cache-dir x\n"),
    ("config after the install in the same RUN", "RUN pip install x && pip config set global.no-cache-dir 1\n",
     [(0, 4, 0, 15)], "RUN pip install --no-cache-dir x && pip config set global.no-cache-dir 1\n"),
    ("other config keys", "RUN pip config set global.cache-dir /c\nRUN pip install x\n", [(1, 4, 1, 15)],
     "RUN pip config set global.cache-dir /c\nRUN pip install --no-cache-dir x\n"),
    ("PIP_ then upper case only", "ENV pip_no_cache_dir=1\nRUN pip install x\n", [(1, 4, 1, 15)],
     "ENV pip_no_cache_dir=1\nRUN pip install --no-cache-dir x\n"),
    ("lower-case name empty overrides", "ENV PIP_NO_CACHE_DIR=1\nRUN PIP_no_cache_dir= pip install x\n",
     [(1, 22, 1, 33)], "ENV PIP_NO_CACHE_DIR=1\nRUN PIP_no_cache_dir= pip install --no-cache-dir x\n"),
    # §2 variables in words
    ("command name from an ARG", "FROM a\nARG PIP=pip3\nRUN $PIP install x\n", [(2, 4, 2, 16)],
     "FROM a\nARG PIP=pip3\nRUN $PIP install --no-cache-dir x\n"),
    ("command name split into words", 'FROM a\nENV PIP="python3 -m pip"\nRUN ${PIP} install x\n', [(2, 4, 2, 18)],
     'FROM a\nENV PIP="python3 -m pip"\nRUN ${PIP} install --no-cache-dir x\n'),
    ("whole command in a variable", 'FROM a\nARG PIP_INSTALL="pip install"\nRUN $PIP_INSTALL x\n', [(2, 4, 2, 16)],
     'FROM a\nARG PIP_INSTALL="pip install"\nRUN $PIP_INSTALL --no-cache-dir x\n'),
    ("command name from a default", "FROM a\nRUN set -e && ${PIP:-pip} install x\n", [(1, 14, 1, 33)],
     "FROM a\nRUN set -e && ${PIP:-pip} install --no-cache-dir x\n"),
    ("quoted flags stay one word", 'FROM a\nARG F="-q --no-cache-dir"\nRUN pip install "$F" x\n', [(2, 4, 2, 15)],
     'FROM a\nARG F="-q --no-cache-dir"\nRUN pip install --no-cache-dir "$F" x\n'),
    ("flags variable unknown", "FROM a\nRUN pip install $PIP_FLAGS x\n", [(1, 4, 1, 15)],
     "FROM a\nRUN pip install --no-cache-dir $PIP_FLAGS x\n"),
    ("flags variable with other flags", "FROM a\nARG PIP_FLAGS=-q\nRUN pip install $PIP_FLAGS x\n", [(2, 4, 2, 15)],
     "FROM a\nARG PIP_FLAGS=-q\nRUN pip install --no-cache-dir $PIP_FLAGS x\n"),
    ("a wrapper from a variable", "FROM a\nENV PIP_NO_CACHE_DIR=1\nARG SUDO=sudo\nRUN $SUDO pip install x\n",
     [(3, 10, 3, 21)], "FROM a\nENV PIP_NO_CACHE_DIR=1\nARG SUDO=sudo\nRUN $SUDO pip install --no-cache-dir x\n"),
    ("flags from the script's variable", "RUN F=-q; pip install $F x\n", [(0, 10, 0, 21)],
     "RUN F=-q; pip install --no-cache-dir $F x\n"),
    # §6 more ways to run pip
    ("su -c", "RUN su -c 'pip install x'\n", [(0, 11, 0, 22)], "RUN su -c 'pip install --no-cache-dir x'\n"),
    ("su USER -c", 'RUN su app -c "pip install x"\n', [(0, 15, 0, 26)], 'RUN su app -c "pip install --no-cache-dir x"\n'),
    ("su - USER -c: a login shell drops ENV", "FROM a\nENV PIP_NO_CACHE_DIR=1\nRUN su - app -c 'pip install x'\n",
     [(2, 17, 2, 28)], "FROM a\nENV PIP_NO_CACHE_DIR=1\nRUN su - app -c 'pip install --no-cache-dir x'\n"),
    ("runuser -u", "RUN runuser -u app -- pip install x\n", [(0, 22, 0, 33)],
     "RUN runuser -u app -- pip install --no-cache-dir x\n"),
    ("runuser USER -c", "RUN runuser app -c 'pip install x'\n", [(0, 20, 0, 31)],
     "RUN runuser app -c 'pip install --no-cache-dir x'\n"),
    ("gosu", "RUN gosu app pip install x\n", [(0, 13, 0, 24)], "RUN gosu app pip install --no-cache-dir x\n"),
    ("su-exec", "RUN su-exec app:app pip3 install x\n", [(0, 20, 0, 32)],
     "RUN su-exec app:app pip3 install --no-cache-dir x\n"),
    ("conda run", "RUN conda run -n env pip install x\n", [(0, 21, 0, 32)],
     "RUN conda run -n env pip install --no-cache-dir x\n"),
    ("mamba run, python -m pip", "RUN mamba run -n env python -m pip install x\n", [(0, 21, 0, 42)],
     "RUN mamba run -n env python -m pip install --no-cache-dir x\n"),
    ("micromamba run", "RUN micromamba run -n base pip install x\n", [(0, 27, 0, 38)],
     "RUN micromamba run -n base pip install --no-cache-dir x\n"),
    ("poetry run", "RUN poetry run pip install x\n", [(0, 15, 0, 26)], "RUN poetry run pip install --no-cache-dir x\n"),
    ("pipenv run", "RUN pipenv run pip install x\n", [(0, 15, 0, 26)], "RUN pipenv run pip install --no-cache-dir x\n"),
    ("find -exec", "RUN find /w -name '*.txt' -exec pip install -r {} \\;\n", [(0, 32, 0, 43)],
     "RUN find /w -name '*.txt' -exec pip install --no-cache-dir -r {} \\;\n"),
    ("find -execdir +", "RUN find /w -execdir pip install {} +\n", [(0, 21, 0, 32)],
     "RUN find /w -execdir pip install --no-cache-dir {} +\n"),
    ("eval of a string", 'RUN eval "pip install x"\n', [(0, 10, 0, 21)], 'RUN eval "pip install --no-cache-dir x"\n'),
    ("eval of words", "RUN eval pip install x\n", [(0, 9, 0, 20)], "RUN eval pip install --no-cache-dir x\n"),
    ("echo piped into sh", "RUN echo 'pip install x' | sh\n", [(0, 10, 0, 21)],
     "RUN echo 'pip install --no-cache-dir x' | sh\n"),
    ("printf piped into bash", 'RUN printf "pip install x" | bash -e\n', [(0, 12, 0, 23)],
     'RUN printf "pip install --no-cache-dir x" | bash -e\n'),
    ("python3.13t", "RUN python3.13t -m pip install x\n", [(0, 4, 0, 30)],
     "RUN python3.13t -m pip install --no-cache-dir x\n"),
    ("grouped short options", "RUN python3 -Im pip install x\n", [(0, 4, 0, 27)],
     "RUN python3 -Im pip install --no-cache-dir x\n"),
    ("grouped short options, module glued", "RUN python3 -I -Bmpip install x\n", [(0, 4, 0, 29)],
     "RUN python3 -I -Bmpip install --no-cache-dir x\n"),
    ("RHEL pip-3.9", "RUN pip-3.9 install x\n", [(0, 4, 0, 19)], "RUN pip-3.9 install --no-cache-dir x\n"),
    # §7 an inserted flag survives the quoting it lands in
    ("sh -c of an unquoted word", "RUN sh -c pip\\ install\\ x\n", [(0, 10, 0, 22)],
     "RUN sh -c pip\\ install\\ --no-cache-dir\\ x\n"),
    ("eval of an unquoted word", "RUN eval pip\\ install\\ x\n", [(0, 9, 0, 21)],
     "RUN eval pip\\ install\\ --no-cache-dir\\ x\n"),
    ("sh -c with its arguments, no flag", "RUN bash -c 'pip install \"$@\"' _ x\n", [(0, 13, 0, 24)],
     "RUN bash -c 'pip install --no-cache-dir \"$@\"' _ x\n"),
    ("sh -c with no arguments", "RUN sh -c 'pip install \"$@\"' sh\n", [(0, 11, 0, 22)],
     "RUN sh -c 'pip install --no-cache-dir \"$@\"' sh\n"),
    ("SHELL powershell leaves exec form read", 'FROM w\nSHELL ["powershell", "-Command"]\nRUN ["pip", "install", "x"]\n',
     [(2, 5, 2, 21)], 'FROM w\nSHELL ["powershell", "-Command"]\nRUN ["pip", "install", "--no-cache-dir", "x"]\n'),
    ("SHELL back to sh", 'FROM w\nSHELL ["pwsh", "-c"]\nSHELL ["/bin/bash", "-c"]\nRUN pip install x\n', [(3, 4, 3, 15)],
     'FROM w\nSHELL ["pwsh", "-c"]\nSHELL ["/bin/bash", "-c"]\nRUN pip install --no-cache-dir x\n'),
    ("a substitution in sh -c's script is one finding", 'RUN sh -c "$(pip install x)"\n', [(0, 13, 0, 24)],
     'RUN sh -c "$(pip install --no-cache-dir x)"\n'),
    ("a substitution in eval's script is one finding", 'RUN eval "$(pip install x)"\n', [(0, 12, 0, 23)],
     'RUN eval "$(pip install --no-cache-dir x)"\n'),
    # §1 what reaches pip's environment
    ("env -i drops ENV", "FROM a\nENV PIP_NO_CACHE_DIR=1\nRUN env -i pip install x\n", [(2, 11, 2, 22)],
     "FROM a\nENV PIP_NO_CACHE_DIR=1\nRUN env -i pip install --no-cache-dir x\n"),
    ("env - drops an export", "RUN export PIP_NO_CACHE_DIR=1 && env - pip install x\n", [(0, 39, 0, 50)],
     "RUN export PIP_NO_CACHE_DIR=1 && env - pip install --no-cache-dir x\n"),
    ("env -i in exec form", 'FROM a\nENV PIP_NO_CACHE_DIR=1\nRUN ["env", "-i", "pip", "install", "x"]\n',
     [(2, 18, 2, 34)], 'FROM a\nENV PIP_NO_CACHE_DIR=1\nRUN ["env", "-i", "pip", "install", "--no-cache-dir", "x"]\n'),
    ("inline assignment before env -i", "RUN PIP_NO_CACHE_DIR=1 env -i pip install x\n", [(0, 30, 0, 41)],
     "RUN PIP_NO_CACHE_DIR=1 env -i pip install --no-cache-dir x\n"),
    ("sudo resets the environment", "FROM a\nENV PIP_NO_CACHE_DIR=1\nRUN sudo -H pip install x\n", [(2, 12, 2, 23)],
     "FROM a\nENV PIP_NO_CACHE_DIR=1\nRUN sudo -H pip install --no-cache-dir x\n"),
    ("sudo resets for a nested shell", 'FROM a\nARG PIP_NO_CACHE_DIR=1\nRUN sudo sh -c "pip install x"\n',
     [(2, 16, 2, 27)], 'FROM a\nARG PIP_NO_CACHE_DIR=1\nRUN sudo sh -c "pip install --no-cache-dir x"\n'),
    ("sudo drops an export", "RUN export PIP_NO_CACHE_DIR=1 && sudo pip install x\n", [(0, 38, 0, 49)],
     "RUN export PIP_NO_CACHE_DIR=1 && sudo pip install --no-cache-dir x\n"),
    ("sudo keeps other names only", "FROM a\nENV PIP_NO_CACHE_DIR=1\nRUN sudo --preserve-env=PATH pip install x\n",
     [(2, 29, 2, 40)], "FROM a\nENV PIP_NO_CACHE_DIR=1\nRUN sudo --preserve-env=PATH pip install --no-cache-dir x\n"),
    ("expanded from an unknown variable", "FROM a\nRUN PIP_NO_CACHE_DIR=$NC pip install x\n", [(1, 25, 1, 36)],
     "FROM a\nRUN PIP_NO_CACHE_DIR=$NC pip install --no-cache-dir x\n"),
    ("expanded to empty", 'RUN PIP_NO_CACHE_DIR="${UNSET:-}" pip install x\n', [(0, 34, 0, 45)],
     'RUN PIP_NO_CACHE_DIR="${UNSET:-}" pip install --no-cache-dir x\n'),
    ("expanded from a script variable set empty", 'RUN NC=; export PIP_NO_CACHE_DIR="$NC" && pip install x\n',
     [(0, 42, 0, 53)], 'RUN NC=; export PIP_NO_CACHE_DIR="$NC" && pip install --no-cache-dir x\n'),
    # §2 bash's $'…' (ANSI-C quoting) is decoded only when bash reads the text
    ("$'…' under sh is a $ and a string (dash)", "RUN pip install $'--no-cache-dir' x\n", [(0, 4, 0, 15)],
     "RUN pip install --no-cache-dir $'--no-cache-dir' x\n"),
    ("$'…' with an escape under sh", "RUN pip install $'--no-cache\\x2ddir' x\n", [(0, 4, 0, 15)],
     "RUN pip install --no-cache-dir $'--no-cache\\x2ddir' x\n"),
    ("$\"…\" under sh keeps its $", 'RUN pip install $"--no-cache-dir" x\n', [(0, 4, 0, 15)],
     'RUN pip install --no-cache-dir $"--no-cache-dir" x\n'),
    ("SHELL bash then back to sh", 'FROM a\nSHELL ["/bin/bash", "-c"]\nSHELL ["/bin/sh", "-c"]\n'
     "RUN pip install $'--no-cache-dir' x\n", [(3, 4, 3, 15)],
     'FROM a\nSHELL ["/bin/bash", "-c"]\nSHELL ["/bin/sh", "-c"]\nRUN pip install --no-cache-dir $\'--no-cache-dir\' x\n'),
    ("sh -c in exec form reads $'…' as dash", 'RUN ["sh", "-c", "pip install $\'--no-cache-dir\' x"]\n',
     [(0, 18, 0, 29)], 'RUN ["sh", "-c", "pip install --no-cache-dir $\'--no-cache-dir\' x"]\n'),
    ("sh -c of an escaped $'…'", "RUN sh -c \"pip install \\$'--no-cache-dir' x\"\n", [(0, 11, 0, 22)],
     "RUN sh -c \"pip install --no-cache-dir \\$'--no-cache-dir' x\"\n"),
    ("a #!/bin/sh heredoc is dash", "RUN <<EOF\n#!/bin/sh\npip install $'--no-cache-dir' x\nEOF\n", [(2, 0, 2, 11)],
     "RUN <<EOF\n#!/bin/sh\npip install --no-cache-dir $'--no-cache-dir' x\nEOF\n"),
    ("a NUL ends bash's $'…'", 'FROM a\nSHELL ["/bin/bash", "-c"]\nRUN pip install $\'--no\\0-cache-dir\' x\n',
     [(2, 4, 2, 15)], 'FROM a\nSHELL ["/bin/bash", "-c"]\nRUN pip install --no-cache-dir $\'--no\\0-cache-dir\' x\n'),
    ("the flag lands inside bash's $'…' script", "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nRUN sh -c $'pip install\\x20x'\n",
     [(2, 12, 2, 23)], "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nRUN sh -c $'pip install --no-cache-dir\\x20x'\n"),
    ("the flag lands after an escape in bash's $'…'", "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nRUN sh -c $'pip instal\\x6c x'\n",
     [(2, 12, 2, 26)], "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nRUN sh -c $'pip instal\\x6c --no-cache-dir x'\n"),
    ("bash -c $'…' under sh runs $pip", "FROM a\nARG pip=pip\nRUN bash -c $'pip install x'\n", [(2, 12, 2, 25)],
     "FROM a\nARG pip=pip\nRUN bash -c $'pip install --no-cache-dir x'\n"),
    # §5 ONBUILD: the trigger runs in the child, with the parent's final image config and no ARG
    ("an ARG of an unrelated stage", "FROM a AS base\nARG PIP_NO_CACHE_DIR=1\nFROM b\nRUN pip install x\n",
     [(3, 4, 3, 15)], "FROM a AS base\nARG PIP_NO_CACHE_DIR=1\nFROM b\nRUN pip install --no-cache-dir x\n"),
    ("ONBUILD RUN with an ARG of the parent", "FROM a\nARG PIP_NO_CACHE_DIR=1\nONBUILD RUN pip install x\n",
     [(2, 12, 2, 23)], "FROM a\nARG PIP_NO_CACHE_DIR=1\nONBUILD RUN pip install --no-cache-dir x\n"),
    ("ONBUILD RUN after ENV turns it back on", "FROM a\nENV PIP_NO_CACHE_DIR=1\nONBUILD RUN pip install x\n"
     "ENV PIP_NO_CACHE_DIR=\n", [(2, 12, 2, 23)],
     "FROM a\nENV PIP_NO_CACHE_DIR=1\nONBUILD RUN pip install --no-cache-dir x\nENV PIP_NO_CACHE_DIR=\n"),
    ("ONBUILD RUN and a later USER moves the cache", "FROM a\n"
     "ONBUILD RUN --mount=type=cache,target=/root/.cache/pip pip install x\nUSER app\nENV HOME=/home/app\n",
     [(1, 55, 1, 66)], "FROM a\nONBUILD RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir x\n"
     "USER app\nENV HOME=/home/app\n"),
    ("ONBUILD RUN reads the parent's last SHELL", "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\n"
     "ONBUILD RUN pip install $'--no-cache-dir' x\nSHELL [\"/bin/sh\", \"-c\"]\n", [(2, 12, 2, 23)],
     "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nONBUILD RUN pip install --no-cache-dir $'--no-cache-dir' x\n"
     "SHELL [\"/bin/sh\", \"-c\"]\n"),
    ("ONBUILD RUN in exec form", 'FROM a\nONBUILD RUN ["pip", "install", "x"]\n', [(1, 13, 1, 29)],
     'FROM a\nONBUILD RUN ["pip", "install", "--no-cache-dir", "x"]\n'),
    ("ONBUILD RUN with a heredoc", "FROM a\nONBUILD RUN <<EOF\npip install x\nEOF\n", [(2, 0, 2, 11)],
     "FROM a\nONBUILD RUN <<EOF\npip install --no-cache-dir x\nEOF\n"),
    ("ONBUILD in a stage only a builder is built on", "FROM a AS base\nONBUILD RUN pip install x\nFROM base AS b\n"
     "RUN true\nFROM c\n", [(1, 12, 1, 23)],
     "FROM a AS base\nONBUILD RUN pip install --no-cache-dir x\nFROM base AS b\nRUN true\nFROM c\n"),
    ("ONBUILD ENV does not reach the parent's own RUN", "FROM a\nONBUILD ENV PIP_NO_CACHE_DIR=1\nRUN pip install x\n",
     [(2, 4, 2, 15)], "FROM a\nONBUILD ENV PIP_NO_CACHE_DIR=1\nRUN pip install --no-cache-dir x\n"),
    ("ONBUILD ENV after the trigger", "FROM a\nONBUILD RUN pip install x\nONBUILD ENV PIP_NO_CACHE_DIR=1\n",
     [(1, 12, 1, 23)], "FROM a\nONBUILD RUN pip install --no-cache-dir x\nONBUILD ENV PIP_NO_CACHE_DIR=1\n"),
    # §5 heredocs: one heredoc alone is the script; otherwise the shell reads the command line
    ("a descriptor before a lone heredoc", "RUN 3<<EOF\npip install x\nEOF\n", [(1, 0, 1, 11)],
     "RUN 3<<EOF\npip install --no-cache-dir x\nEOF\n"),
    ("#!/usr/bin/env -S bash -e", "RUN <<EOF\n#!/usr/bin/env -S bash -e\npip install x\nEOF\n", [(2, 0, 2, 11)],
     "RUN <<EOF\n#!/usr/bin/env -S bash -e\npip install --no-cache-dir x\nEOF\n"),
    ("#!/bin/busybox sh", "RUN <<EOF\n#!/bin/busybox sh\npip install x\nEOF\n", [(2, 0, 2, 11)],
     "RUN <<EOF\n#!/bin/busybox sh\npip install --no-cache-dir x\nEOF\n"),
    ("#! with a blank and an option", "RUN <<EOF\n#! /bin/bash -e\npip install x\nEOF\n", [(2, 0, 2, 11)],
     "RUN <<EOF\n#! /bin/bash -e\npip install --no-cache-dir x\nEOF\n"),
    ("stdin is the last << redirect", "RUN sh <<A <<B\npip install a\nA\npip install b\nB\n", [(3, 0, 3, 11)],
     "RUN sh <<A <<B\npip install a\nA\npip install --no-cache-dir b\nB\n"),
    ("a redirect before the shell counts", "RUN <<A sh <<B\npip install a\nA\npip install b\nB\n", [(3, 0, 3, 11)],
     "RUN <<A sh <<B\npip install a\nA\npip install --no-cache-dir b\nB\n"),
    ("a heredoc on another descriptor is no stdin", "RUN sh <<A 3<<B\npip install a\nA\npip install b\nB\n",
     [(1, 0, 1, 11)], "RUN sh <<A 3<<B\npip install --no-cache-dir a\nA\npip install b\nB\n"),
    ("cat's heredoc, then the shell's", "RUN cat <<A > f && sh <<B\npip install a\nA\npip install b\nB\n",
     [(3, 0, 3, 11)], "RUN cat <<A > f && sh <<B\npip install a\nA\npip install --no-cache-dir b\nB\n"),
    ("one heredoc with words after it", "RUN <<EOF sh -e\npip install x\nEOF\n", [(1, 0, 1, 11)],
     "RUN <<EOF sh -e\npip install --no-cache-dir x\nEOF\n"),
    ("sh -s with operands reads stdin", "RUN sh -s -- a b <<EOF\npip install x\nEOF\n", [(1, 0, 1, 11)],
     "RUN sh -s -- a b <<EOF\npip install --no-cache-dir x\nEOF\n"),
    ("bash -s -e reads stdin", "RUN bash -s -e <<'EOF'\npip install x\nEOF\n", [(1, 0, 1, 11)],
     "RUN bash -s -e <<'EOF'\npip install --no-cache-dir x\nEOF\n"),
    ("sh -s operands are $@ in a quoted body", "RUN sh -s -- -q x <<'EOF'\npip install \"$@\"\nEOF\n",
     [(1, 0, 1, 11)], "RUN sh -s -- -q x <<'EOF'\npip install --no-cache-dir \"$@\"\nEOF\n"),
    ("an unquoted body's $@ is the RUN's, empty", "RUN sh -s -- --no-cache-dir <<EOF\npip install \"$@\" x\nEOF\n",
     [(1, 0, 1, 11)], "RUN sh -s -- --no-cache-dir <<EOF\npip install --no-cache-dir \"$@\" x\nEOF\n"),
    ("a bash heredoc decodes $'…', a sh one not", "RUN bash <<'A' && sh <<'B'\npip install $'--no-cache-dir' a\nA\n"
     "pip install $'--no-cache-dir' b\nB\n", [(3, 0, 3, 11)],
     "RUN bash <<'A' && sh <<'B'\npip install $'--no-cache-dir' a\nA\npip install --no-cache-dir $'--no-cache-dir' b\nB\n"),
]

CLEAN: list[tuple[str, str]] = [
    ("SHELL powershell: shell-form RUNs are no sh", 'FROM w\nSHELL ["powershell", "-Command"]\nRUN $env:PIP_NO_CACHE_DIR=1; pip install x\n'),
    ("SHELL cmd inherited from a stage", 'FROM w AS b\nSHELL ["cmd", "/S", "/C"]\nFROM b\nRUN pip install x\n'),
    ("an empty --cache-dir is no cache", "RUN pip install --cache-dir= x && pip install --cache-dir '' y\n"),
    ("sh -c passes the flag through $@", "RUN bash -c 'pip install \"$@\"' _ --no-cache-dir x\n"),
    ("sh -c passes the flag as $1", "RUN sh -c 'pip install $1 x' sh --no-cache-dir\n"),
    ("exec form passes the flag through $@", 'RUN ["bash", "-c", "pip install \\"$@\\"", "_", "--no-cache-dir", "x"]\n'),
    ("su without - keeps ENV", "FROM a\nENV PIP_NO_CACHE_DIR=1\nRUN su app -c 'pip install x'\n"),
    ("gosu keeps ENV", "FROM a\nENV PIP_NO_CACHE_DIR=1\nRUN gosu app pip install x\n"),
    ("conda without run", "RUN conda install pip\n"),
    ("poetry install is not pip", "RUN poetry install\n"),
    ("find without -exec", "RUN find / -name pip\n"),
    ("echo piped elsewhere", "RUN echo 'pip install x' | tee log\n"),
    ("echo of an option", "RUN echo -n 'pip install x' | cat\n"),
    ("python -c with grouped options", "RUN python3 -Ic 'import pip'\n"),
    ("python -m something else", "RUN python3 -Im venv /v\n"),
    ("command name unknown: not read (as before)", "FROM a\nRUN $PIP install x\n"),
    ("quoted command name is one word", 'FROM a\nARG PIP="python3 -m pip"\nRUN "$PIP" install x\n'),
    ("flags from an ARG", "FROM a\nARG PIP_FLAGS=--no-cache-dir\nRUN pip install $PIP_FLAGS x\n"),
    ("flags split from an ARG", 'FROM a\nARG PIP_FLAGS="-q --no-cache-dir"\nRUN pip install ${PIP_FLAGS} x\n'),
    ("flags from the script", "RUN F=--no-cache-dir; pip install $F x\n"),
    ("flags inherited from a stage", "FROM a AS b\nENV F=--no-cache-dir\nFROM b\nRUN pip install $F x\n"),
    ("command name from an ARG, flag written", "FROM a\nARG PIP=pip\nRUN $PIP install --no-cache-dir x\n"),
    ("sudo -E keeps ENV", "FROM a\nENV PIP_NO_CACHE_DIR=1\nRUN sudo -E pip install x\n"),
    ("sudo --preserve-env keeps an export", "RUN export PIP_NO_CACHE_DIR=1 && sudo --preserve-env pip install x\n"),
    ("sudo --preserve-env=NAME", "FROM a\nENV PIP_NO_CACHE_DIR=1\nRUN sudo --preserve-env=PIP_NO_CACHE_DIR pip install x\n"),
    ("sudo with an assignment", "RUN sudo PIP_NO_CACHE_DIR=1 pip install x\n"),
    ("env -i with an assignment", "RUN env -i PIP_NO_CACHE_DIR=1 pip install x\n"),
    ("an export inside sudo's shell", "RUN sudo sh -c 'export PIP_NO_CACHE_DIR=1; pip install x'\n"),
    ("env -i keeps configuration files", "RUN pip config set global.no-cache-dir 1\nRUN env -i pip install x\n"),
    ("default from the script", 'RUN export PIP_NO_CACHE_DIR="${PIP_NO_CACHE_DIR:-1}" && pip install x\n'),
    ("default kept from the stage", 'FROM a\nENV PIP_NO_CACHE_DIR=off\nRUN export PIP_NO_CACHE_DIR="${PIP_NO_CACHE_DIR:-}" && pip install x\n'),
    ("inline from a stage ARG", "FROM a\nARG NC=1\nRUN PIP_NO_CACHE_DIR=$NC pip install x\n"),
    ("inline from a script variable", "RUN NC=1; PIP_NO_CACHE_DIR=$NC pip install x\n"),
    ("alternate value", "RUN NC=x; PIP_NO_CACHE_DIR=${NC:+yes} pip install x\n"),
    ("braced ENV in a concatenation", 'FROM a\nENV V=ru\nRUN export PIP_NO_CACHE_DIR="t${V}e" && pip install x\n'),
    ("cache dir from a variable, mounted", "FROM a\nARG D=/c\nRUN --mount=type=cache,target=/c PIP_CACHE_DIR=$D pip install x\n"),
    ("--cache-dir then --no-cache-dir", "RUN pip install --cache-dir /c --no-cache-dir x\n"),
    ("--cache-dir= then abbreviated flag", "RUN pip --cache-dir=/c install --no-cache x\n"),
    ("--cache-dir covered by a mount on it", "RUN --mount=type=cache,target=/c pip install --cache-dir /c x\n"),
    ("--cache-dir relative to WORKDIR, mounted", "WORKDIR /w\nRUN --mount=type=cache,target=c pip install --cache-dir /w/c x\n"),
    ("--cache-dir cleaned after", "RUN pip install --cache-dir /c x && rm -rf /c\n"),
    ("--isolated with the flag", "RUN pip install --isolated --no-cache-dir x\n"),
    ("--isolated with an inline variable is still isolated... and the flag", "RUN pip --isolated install --no-cache-dir x\n"),
    ("--isolated reads the global file", "RUN pip config --global set global.no-cache-dir 1\nRUN pip install --isolated x\n"),
    ("--isolated reads the site file", "RUN pip config set --site install.no-cache-dir true\nRUN pip install --isolated x\n"),
    ("config set, user file", "RUN pip config set global.no-cache-dir 1\nRUN pip install x\n"),
    ("config set, false still disables", "RUN pip config set global.no-cache-dir false\nRUN pip3 download x\n"),
    ("config set --user, install section", "RUN pip3 config --user set install.no_cache_dir yes\nRUN pip install x\n"),
    ("config through python -m pip", "RUN python3 -m pip config set global.no-cache-dir off\nRUN pip wheel x\n"),
    ("config set earlier in the same RUN", "RUN pip config set global.no-cache-dir 1 && pip install x\n"),
    ("config inherited from a stage", "FROM a AS base\nRUN pip config set global.no-cache-dir 1\nFROM base\nRUN pip install x\n"),
    ("config survives ENV and USER root", "FROM a\nRUN pip config set global.no-cache-dir 1\nENV X=1\nUSER root\nRUN pip install x\n"),
    ("download with the flag", "RUN pip download --no-cache-dir x\n"),
    ("wheel with the variable", "ENV PIP_NO_CACHE_DIR=1\nRUN pip wheel x\n"),
    ("PIP_ with the rest in lower case", "ENV PIP_no_cache_dir=1\nRUN pip install x\n"),
    ("PIP_ mixed case inline", "RUN PIP_No_Cache_Dir=on pip install x\n"),
    ("PIP_ lower case, ARG", "FROM a\nARG PIP_no_cache_dir=1\nRUN pip install x\n"),
    ("PIP_cache_dir lower case moves the cache", "ENV PIP_cache_dir=/c\nRUN --mount=type=cache,target=/c pip install x\n"),
    ("bash decodes $'…'", "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nRUN pip install $'--no-cache-dir' x\n"),
    ("bash decodes \\x2d", "FROM a\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN pip install $'--no-cache\\x2ddir' x\n"),
    ("bash decodes octal, \\u and \\c", "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\n"
     "RUN pip install $'\\055-no-cache-dir' a && pip install $'\\u002d-no-cache-dir' b && pip install $'\\x2d\\x2dno-cache-dir' c\n"),
    ("bash's $\"…\" is a string", "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nRUN pip install $\"--no-cache-dir\" x\n"),
    ("SHELL through env bash", "FROM a\nSHELL [\"/usr/bin/env\", \"bash\", \"-c\"]\nRUN pip install $'--no-cache-dir' x\n"),
    ("SHELL bash inherited from a stage", "FROM a AS b\nSHELL [\"/bin/bash\", \"-c\"]\nFROM b\nRUN pip install $'--no-cache-dir' x\n"),
    ("busybox sh -c decodes $'…' (ash)", "RUN busybox sh -c \"pip install \\$'--no-cache-dir' x\"\n"),
    ("SHELL ash", "FROM a\nSHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN pip install $'--no-cache-dir' x\n"),
    ("bash -c in exec form", "RUN [\"bash\", \"-c\", \"pip install $'--no-cache-dir' x\"]\n"),
    ("bash -c of a double-quoted script", "RUN bash -c \"pip install \\$'--no-cache-dir' x\"\n"),
    ("a #!/bin/bash heredoc", "RUN <<EOF\n#!/bin/bash\npip install $'--no-cache\\x2ddir' x\nEOF\n"),
    ("a lone heredoc under SHELL bash", "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nRUN <<EOF\npip install $'--no-cache-dir' x\nEOF\n"),
    ("bash reading a heredoc", "RUN bash <<'EOF'\npip install $'--no-cache-dir' x\nEOF\n"),
    ("bash -c $'…' under sh runs $pip, unset", "RUN bash -c $'pip install x'\n"),
    ("an ARG of the base stage reaches the child", "FROM a AS base\nARG PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install x\n"),
    ("ONBUILD RUN sees an ENV written after it", "FROM a\nONBUILD RUN pip install x\nENV PIP_NO_CACHE_DIR=1\n"),
    ("ONBUILD RUN with its own cache mount", "FROM a\nONBUILD RUN --mount=type=cache,target=/root/.cache/pip pip install x\n"),
    ("ONBUILD RUN suppressed", "FROM a\n# hadolint ignore=DL3042\nONBUILD RUN pip install x\n"),
    ("ONBUILD RUN suppressed by code", "FROM a\n# pip-cache-lsp: ignore=pip-no-cache-dir\nONBUILD RUN pip install x\n"),
    ("ONBUILD ENV before the trigger", "FROM a\nONBUILD ENV PIP_NO_CACHE_DIR=1\nONBUILD RUN pip install x\n"),
    ("ONBUILD ENV reaches the grandchild through the child's ENV", "FROM a AS base\nONBUILD ENV PIP_NO_CACHE_DIR=1\n"
     "FROM base AS mid\nFROM mid\nRUN pip install x\n"),
    ("ONBUILD ENV reaches the child stage", "FROM a AS base\nONBUILD ENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install x\n"),
    ("ONBUILD RUN under the parent's last bash SHELL", "FROM a\nONBUILD RUN pip install $'--no-cache-dir' x\n"
     "SHELL [\"/bin/bash\", \"-c\"]\n"),
    ("ONBUILD RUN of pip config reaches the child", "FROM a AS base\nONBUILD RUN pip config set global.no-cache-dir 1\n"
     "FROM base\nRUN pip install x\n"),
    ("a line of heredoc redirects alone runs nothing", "RUN <<A <<B\npip install a\nA\npip install b\nB\n"),
    ("a line of three heredocs", "RUN <<A <<B <<C\npip install a\nA\npip install b\nB\npip install c\nC\n"),
    ("the first of two heredocs is not stdin", "RUN sh <<A <<'B'\npip install a\nA\necho b\nB\n"),
    ("python reads the heredoc", "RUN python3 <<EOF\npip install x\nEOF\n"),
    ("python reads it, on a line with two", "RUN python3 <<A && cat <<B\npip install a\nA\npip install b\nB\n"),
    ("a script file is no stdin script", "RUN sh ./x.sh <<EOF\npip install x\nEOF\n"),
    ("sh -c is no stdin script", "RUN sh -c 'echo' <<EOF\npip install x\nEOF\n"),
    ("#!/usr/bin/env python3 -S", "RUN <<EOF\n#!/usr/bin/env -S python3 -u\npip install x\nEOF\n"),
    ("#!/usr/bin/env with a blank and no -S runs nothing", "RUN <<EOF\n#!/usr/bin/env bash -e\npip install x\nEOF\n"),
    ("#!/usr/bin/perl", "RUN <<EOF\n#!/usr/bin/perl\npip install x\nEOF\n"),
    ("sh -s operands in a quoted body", "RUN sh -s -- --no-cache-dir x <<'EOF'\npip install \"$@\"\nEOF\n"),
]


@pytest.mark.parametrize(("source", "expected", "fixed"),
                         [pytest.param(s, r, f, id=n) for n, s, r, f in CAUGHT])
def test_caught(source: str, expected: list[Range], fixed: str) -> None:
    assert_caught(source, expected, fixed, PIP)


@pytest.mark.parametrize("source", [pytest.param(s, id=n) for n, s in CLEAN])
def test_clean(source: str) -> None:
    assert ranges(Document(source)) == []


@pytest.mark.parametrize(("source", "subcommand"), [
    ("RUN pip install x\n", "install"), ("RUN pip download x\n", "download"), ("RUN pip3 wheel x\n", "wheel"),
])
def test_message_names_the_subcommand(source: str, subcommand: str) -> None:
    (finding,) = Document(source).findings(selected=PIP)
    assert finding.message.startswith(f"pip {subcommand} without --no-cache-dir")


@pytest.mark.parametrize("depth", [45, 400, 3000])
def test_deep_nesting_skips_only_the_deep_part(depth: int) -> None:
    source = "RUN pip install a && " + "echo $(" * depth + "pip install x" + ")" * depth + " && pip install y\n"
    doc = Document(source)
    assert ranges(doc) == [(0, 4, 0, 15), (0, len(source) - 14, 0, len(source) - 3)]


def test_shallow_nesting_is_read() -> None:
    source = "RUN " + "echo $(" * 30 + "pip install x" + ")" * 30 + "\n"
    assert len(ranges(Document(source))) == 1


@pytest.mark.parametrize(("source", "builder"), [
    pytest.param("FROM a\nONBUILD RUN pip install x\n", None, id="the final stage: its children ship it"),
    pytest.param("FROM a AS base\nONBUILD RUN pip install x\nFROM base\n", None, id="the final stage is its child"),
    pytest.param("FROM a AS base\nONBUILD RUN pip install x\nFROM base AS b\nFROM c\n", "base",
                 id="only a builder is built on it"),
    pytest.param("FROM a AS base\nONBUILD RUN pip install x\nFROM c\n", None,
                 id="a stage no stage of the file builds on: its triggers are for images built on it"),
])
def test_onbuild_placement(source: str, builder: str | None) -> None:
    """An ONBUILD trigger runs in the stage built on its own: in the image when that reaches it."""
    (finding,) = Document(source).findings(selected=PIP)
    assert finding.builder_stage == builder


def test_onbuild_edit_rechecks_with_the_final_stage() -> None:
    """An edit after the trigger that changes the stage's final ENV re-checks the trigger."""
    doc = Document("FROM a\nONBUILD RUN pip install x\n")
    assert len(doc.findings(selected=PIP)) == 1
    end = len(doc.text)
    doc.edit(end, end, "ENV PIP_NO_CACHE_DIR=1\n")
    assert doc.findings(selected=PIP) == []
    doc.edit(end, len(doc.text), "RUN true\n")
    assert len(doc.findings(selected=PIP)) == 1
