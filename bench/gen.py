"""Realistic Dockerfiles for the benches, generated deterministically from a seed.

The instruction mix follows what the corpus holds: stages (``FROM ... AS``), ARG/ENV,
WORKDIR/COPY, long ``apt-get`` continuation RUNs, pip RUNs with several installs,
``RUN <<EOF`` and ``COPY <<EOF`` heredocs, LABEL/EXPOSE/USER/HEALTHCHECK/CMD.
A pip block renders with or without ``--no-cache-dir`` on the same lines, so the
number of findings is chosen independently of the line count.

    python bench/gen.py OUTDIR      # writes the three bench files and prints their figures
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path

APT = ["build-essential", "ca-certificates", "curl", "git", "gnupg", "libffi-dev", "libpq-dev", "libssl-dev",
       "libxml2-dev", "libxslt1-dev", "locales", "netcat-openbsd", "pkg-config", "unzip", "wget", "zlib1g-dev",
       "libjpeg-dev", "libpng-dev", "gcc", "g++", "make", "tini", "gosu", "openssh-client", "procps"]
PYPKG = ["numpy==1.26.4", "pandas", "requests", "flask==3.0.3", "gunicorn", "uvicorn[standard]", "fastapi",
         "sqlalchemy>=2", "psycopg2-binary", "celery[redis]", "boto3", "pydantic", "torch", "scipy", "pillow",
         "'django<5'", "redis", "httpx", "pytest", "black", "jinja2", "pyyaml", "click", "rich"]
BASES = ["python:3.11-slim", "python:3.12-slim-bookworm", "ubuntu:22.04", "debian:bookworm-slim",
         "nvidia/cuda:12.1.0-runtime-ubuntu22.04", "alpine:3.19"]

Render = Callable[[bool], list[str]]  # bad -> lines


class Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.stage = 0

    # -- blocks that never hold a finding ----------------------------------------------
    def stage_header(self) -> list[str]:
        self.stage += 1
        r = self.r
        out = [f"# ---- stage {self.stage}: build the {r.choice(['api', 'worker', 'docs', 'model', 'web'])} image ----",
               f"FROM {r.choice(BASES)} AS stage{self.stage}"]
        if r.random() < 0.6:
            out.append(f"ARG APP_VERSION={r.randint(0, 9)}.{r.randint(0, 30)}.{r.randint(0, 9)}")
        out += ["ENV PYTHONDONTWRITEBYTECODE=1 \\", "    PYTHONUNBUFFERED=1 \\", f"    APP_HOME=/srv/app{self.stage}"]
        out.append(f"WORKDIR /srv/app{self.stage}")
        return out

    def apt_run(self) -> list[str]:
        r = self.r
        pkgs = sorted(r.sample(APT, r.randint(6, 20)))
        return (["RUN set -eux; \\", "    apt-get update; \\", "    apt-get install -y --no-install-recommends \\"]
                + [f"        {p} \\" for p in pkgs]
                + ["    ; \\", "    rm -rf /var/lib/apt/lists/*"])

    def misc(self) -> list[str]:
        r = self.r
        return r.choice([
            ["COPY requirements.txt ./"],
            ["COPY --chown=app:app . ."],
            [f"EXPOSE {r.choice([80, 5000, 8000, 8080])}"],
            ['LABEL org.opencontainers.image.source="https://example.org/app" \\',
             '      org.opencontainers.image.licenses="MIT"'],
            ["USER app"],
            ["HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost:8000/health || exit 1"],
            ['CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:create_app()"]'],
            ["# keep the image small: clean caches in the same layer", "RUN rm -rf /tmp/* /root/.cache"],
            ["COPY <<EOF /etc/app/config.ini", "[server]", f"port = {r.randint(1000, 9999)}", "workers = 4",
             "[log]", "level = info", "EOF"],
            ["", "# runtime user", "RUN useradd --create-home --shell /bin/bash app \\",
             "    && mkdir -p /data && chown app:app /data"],
        ])

    # -- pip blocks: the same lines with or without the flag ------------------------------
    def pip_block(self, calls: int | None = None) -> Render:
        r = self.r
        kind = r.choice(["cont", "cont", "cont", "one", "heredoc"]) if calls is None else "cont"
        n = calls if calls is not None else r.randint(1, 3)
        pkgs = [" ".join(r.sample(PYPKG, r.randint(1, 4))) for _ in range(n)]

        def render(bad: bool) -> list[str]:
            flag = "" if bad else "--no-cache-dir "
            if kind == "one":
                return [f"RUN pip install {flag}{pkgs[0]}"]
            if kind == "heredoc":
                return (["RUN <<EOF", "set -eux", "python -m venv /opt/venv", ". /opt/venv/bin/activate"]
                        + [f"pip install {flag}{p}" for p in pkgs] + ["python -c 'import sys; print(sys.version)'",
                                                                     "EOF"])
            lines = ["RUN set -eux \\"]
            for i, p in enumerate(pkgs):
                if i % 2:
                    lines.append(f"    && python3 -m pip install {flag}--upgrade \\")
                    lines += [f"        {w} \\" for w in p.split()]
                else:
                    lines.append(f"    && pip install {flag}{p} \\")
            return [*lines, "    && python -c 'import site; print(site.getsitepackages())'"]

        render.calls = n  # type: ignore[attr-defined]
        return render


def dockerfile(lines: int, findings: int, seed: int = 1, pip_share: float = 0.25, calls: int | None = None) -> str:
    """About ``lines`` lines holding exactly ``findings`` findings (as far as pip blocks allow)."""
    g = Gen(seed)
    parts: list[list[str] | Render] = []
    count = 0
    stage_every = max(40, lines // 25)
    since_stage = stage_every
    while count < lines:
        if since_stage >= stage_every:
            part: list[str] | Render = g.stage_header()
            since_stage = 0
        else:
            x = g.r.random()
            part = g.pip_block(calls) if x < pip_share else g.apt_run() if x < pip_share + 0.2 else g.misc()
        n = len(part(False)) if callable(part) else len(part)
        parts.append(part)
        count += n
        since_stage += n
    pips = [p for p in parts if callable(p)]
    # spread the bad pip blocks evenly; each bad block holds all of its calls' findings
    bad: set[int] = set()
    want = findings
    if pips and want:
        avg = sum(p.calls for p in pips) / len(pips)  # type: ignore[attr-defined]
        m = min(len(pips), max(1, round(want / avg)))
        order = [round(j * len(pips) / m) for j in range(m)] + list(range(len(pips)))
        for i in order:
            if want <= 0:
                break
            if i < len(pips) and i not in bad and pips[i].calls <= want:  # type: ignore[attr-defined]
                bad.add(i)
                want -= pips[i].calls  # type: ignore[attr-defined]
    out: list[str] = ["# syntax=docker/dockerfile:1.7", "ARG BASE_REGISTRY=docker.io"]
    k = 0
    for part in parts:
        if callable(part):
            out += part(k in bad)
            k += 1
        else:
            out += part
    return "\n".join(out) + "\n"


def paste_chunk(lines: int = 500, seed: int = 99) -> str:
    """``lines`` whole lines of instructions (no parser directives) to paste into a file."""
    text = dockerfile(lines, 5, seed).split("\n", 2)[2]
    return "\n".join(text.split("\n")[:lines]) + "\n"


def bench_files() -> dict[str, str]:
    """The three documents of the keystroke bench."""
    return {
        "200 lines": dockerfile(200, 8, seed=4),
        "10k lines": dockerfile(10_000, 8, seed=3),
        "10k many": dockerfile(10_000, 3000, seed=4, pip_share=0.9, calls=4),
    }


def batch_set(outdir: Path, n: int = 2000, seed: int = 7) -> list[Path]:
    """``n`` small-to-medium Dockerfiles (20-200 lines, 0-4 findings) under ``outdir``."""
    r = random.Random(seed)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = outdir / f"svc{i:04d}.Dockerfile"
        p.write_text(dockerfile(r.randint(20, 200), r.randint(0, 4), seed=seed * 100_000 + i))
        paths.append(p)
    return paths


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "bench-files")
    out.mkdir(parents=True, exist_ok=True)
    try:
        from pip_cache_lsp.document import Document
    except ImportError:
        Document = None  # type: ignore[assignment]
    for name, text in bench_files().items():
        path = out / (name.replace(" ", "-") + ".Dockerfile")
        path.write_text(text)
        found = len(Document(text).findings()) if Document else "?"
        print(f"{path}: {text.count(chr(10))} lines, {len(text)} chars, {found} findings")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
