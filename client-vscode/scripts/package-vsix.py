"""Build the .vsix of the extension for one or more VS Code targets (`vsce package --target`).

    package-vsix.py [--wheels DIR] [--dist DIR] [--copy-to FILE] TARGET...

TARGET is a vsce target (linux-x64, darwin-arm64, win32-x64, ...) or `host`, the one this machine
is. Each gives DIST/pip-cache-lsp-<target>.vsix, bundling the Python server in bundled/libs:

- pip_cache_lsp (a wheel built from this repository) and its pure-Python dependencies at the
  versions of bundled/constraints.txt, as `py3-none-any` wheels: the same in every target;
- tree-sitter and tree-sitter-bash, binary wheels, for the target's platform and for every CPython
  the extension supports (3.10-3.14). tree-sitter has one extension module per CPython version;
  their file names carry the ABI tag (_binding.cpython-312-x86_64-linux-gnu.so,
  _binding.cp312-win_amd64.pyd, ...), so they sit side by side in tree_sitter/. The `Tag:` lines
  of all the wheels of a project are kept in its .dist-info/WHEEL;
- bundled/target.json: the target, the CPython versions and the wheels, for the extension's
  error message when the bundle does not load (and for tests/test_vsix_targets.py).

Every wheel comes from PyPI through `pip download`, once: they are kept in --wheels (default
.tools/vsix-wheels), and a later build reads them from there without asking the index.
A target for which PyPI has no wheel of a binary project for one of the CPython versions is not
built ("skipped", with the reason); when a target named on the command line is skipped the script
exits 1, so that a version bump losing a platform is noticed (client-vscode/README.md lists the
targets that are built and those that are not).

Each target is packaged in a staging copy of client-vscode/ (its node_modules linked), so builds
never write into the work tree but DIST, and the .vsix is made byte-for-byte reproducible by
normalise-vsix.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent  # client-vscode/
ROOT = HERE.parent
CONSTRAINTS = HERE / "bundled" / "constraints.txt"
PYTHONS = ["3.10", "3.11", "3.12", "3.13", "3.14"]  # CPython versions bundled/tool/server.py supports
BINARY = ("tree-sitter", "tree-sitter-bash")  # projects shipping compiled modules

# vsce target -> the pip platform tags its wheels may carry (pip adds the older macOS versions
# and universal2 by itself). The macOS minimums are those of VS Code 1.90: 10.15 and 11.0.
TARGETS = {
    "linux-x64": ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"],
    "linux-arm64": ["manylinux_2_28_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64"],
    "linux-armhf": ["manylinux_2_31_armv7l", "manylinux_2_17_armv7l", "manylinux2014_armv7l"],
    "alpine-x64": ["musllinux_1_2_x86_64", "musllinux_1_1_x86_64"],
    "alpine-arm64": ["musllinux_1_2_aarch64", "musllinux_1_1_aarch64"],
    "darwin-x64": ["macosx_10_15_x86_64"],
    "darwin-arm64": ["macosx_11_0_arm64"],
    "win32-x64": ["win_amd64"],
    "win32-arm64": ["win_arm64"],
}

PIP_ENV = {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1"}


class Unavailable(Exception):
    """PyPI has no wheel of a binary project for this target and CPython."""


def log(msg: str) -> None:
    print(f"package-vsix: {msg}", file=sys.stderr, flush=True)


def host_target() -> str:
    system, machine = platform.system(), platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "armhf"}.get(machine)
    if system == "Linux":
        musl = platform.libc_ver()[0] != "glibc" and any(Path("/lib").glob("ld-musl-*"))
        os_name = "alpine" if musl else "linux"
    else:
        os_name = {"Darwin": "darwin", "Windows": "win32"}.get(system, system.lower())
    name = f"{os_name}-{arch}"
    if name not in TARGETS:
        raise SystemExit(f"package-vsix: this machine ({system} {machine}) is not a target this script knows")
    return name


def pins() -> dict[str, str]:
    found = {}
    for line in CONSTRAINTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            found[normal(name)] = version.strip()
    return found


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_name_prefix(project: str, version: str) -> str:
    return f"{re.sub(r'[-_.]+', '_', project).lower()}-{version}-"


def pip_download(cache: Path, project: str, version: str, options: list[str]) -> Path:
    """The wheel of project==version in `cache`, downloaded there by pip when not yet present."""
    prefix = wheel_name_prefix(project, version)
    found = sorted(p for p in cache.glob("*.whl") if p.name.lower().startswith(prefix))
    if not found:
        cache.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "-d", str(cache), *options, f"{project}=={version}"]
        done = subprocess.run(cmd, env={**os.environ, **PIP_ENV}, capture_output=True, text=True)
        found = sorted(p for p in cache.glob("*.whl") if p.name.lower().startswith(prefix))
        if done.returncode != 0 or not found:
            raise Unavailable(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no wheel")
    if len(found) > 1:
        raise SystemExit(f"package-vsix: several wheels of {project} {version} in {cache}: {found}")
    return found[0]


def wheel_tags(whl: Path) -> list[str]:
    with zipfile.ZipFile(whl) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/WHEEL") and n.count("/") == 1)
        return [line.split(":", 1)[1].strip() for line in z.read(name).decode().splitlines() if line.startswith("Tag:")]


def unpack(whl: Path, libs: Path, only_native: bool = False) -> None:
    """Installs a wheel by unpacking it (they have no .data/ and no scripts: checked)."""
    with zipfile.ZipFile(whl) as z:
        for info in z.infolist():
            parts = info.filename.split("/")
            if parts[0].endswith(".data"):
                raise SystemExit(f"package-vsix: {whl.name} has a .data directory; unpacking is not enough")
            if info.is_dir():
                continue
            native = info.filename.endswith((".so", ".pyd", ".dylib", ".dll"))
            if only_native and not native:
                continue
            target = libs / info.filename
            if only_native and target.exists():
                raise SystemExit(f"package-vsix: {info.filename} of {whl.name} is already in the bundle")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(info))


def build_project_wheel(out: Path) -> Path:
    """pip_cache_lsp's wheel, built from a copy so that the work tree gets no build/ or egg-info."""
    src = out / "src"
    src.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "server", src / "server", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(src)],
                   env={**os.environ, **PIP_ENV}, check=True)
    return next(out.glob("pip_cache_lsp-*.whl"))


def check_pins_cover(wheels: list[Path], pinned: dict[str, str]) -> None:
    """Every dependency any bundled project has on any supported CPython is pinned (and so bundled)."""
    try:
        from packaging.requirements import Requirement
    except ImportError:  # pragma: no cover
        from pip._vendor.packaging.requirements import Requirement
    missing = set()
    for whl in wheels:
        with zipfile.ZipFile(whl) as z:
            meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
            for line in z.read(meta).decode().splitlines():
                if not line.startswith("Requires-Dist:"):
                    continue
                req = Requirement(line.split(":", 1)[1].strip())
                env = [{"python_version": v, "python_full_version": v + ".0", "extra": ""} for v in PYTHONS]
                if req.marker is None or any(req.marker.evaluate(e) for e in env):
                    if normal(req.name) not in pinned:
                        missing.add(f"{req.name} (needed by {whl.name})")
    if missing:
        raise SystemExit(f"package-vsix: pin these in {CONSTRAINTS.relative_to(ROOT)}: {', '.join(sorted(missing))}")


def pure_part(work: Path, cache: Path, pinned: dict[str, str]) -> list[Path]:
    """The project's wheel and the pure-Python wheels of its dependencies (the same for every target)."""
    wheels = [build_project_wheel(work / "project")]
    for project, version in pinned.items():
        if project in BINARY:
            continue
        options = ["--platform", "any", "--implementation", "py", "--python-version", PYTHONS[0], "--abi", "none"]
        try:
            wheels.append(pip_download(cache / "pure", project, version, options))
        except Unavailable as exc:
            raise SystemExit(f"package-vsix: no pure-Python wheel of {project} {version}: {exc}") from None
    check_pins_cover(wheels, pinned)
    return wheels


def binary_wheels(target: str, cache: Path, pinned: dict[str, str]) -> list[Path]:
    """The wheels of the binary projects for `target`, one per CPython (fewer when abi3 covers several)."""
    wheels: list[Path] = []
    for project in BINARY:
        for python in PYTHONS:
            abi = "cp" + python.replace(".", "")
            last = wheels[-1] if wheels else None
            if last and last.name.startswith(wheel_name_prefix(project, "")[:-1]) and abi3_covers(last, python):
                continue  # the abi3 wheel of an older CPython
            options = ["--implementation", "cp", "--python-version", python, "--abi", abi, "--abi", "abi3"]
            for tag in TARGETS[target]:
                options += ["--platform", tag]
            version = pinned[normal(project)]
            try:
                whl = pip_download(cache / target / abi, project, version, options)
            except Unavailable as exc:
                raise Unavailable(f"no {project} {version} wheel for CPython {python} on {target} ({exc})") from None
            if whl.name not in {w.name for w in wheels}:
                wheels.append(whl)
    return wheels


def abi3_covers(whl: Path, python: str) -> bool:
    minor = int(python.split(".")[1])
    return any(abi == "abi3" and py.startswith("cp3") and int(py[3:]) <= minor
               for py, abi, _ in (tag.split("-") for tag in wheel_tags(whl)))


def merge_wheel_tags(libs: Path, wheels: list[Path]) -> None:
    """Adds to each .dist-info/WHEEL the `Tag:` lines of the other wheels of the same project."""
    for whl in wheels:
        name, version = whl.name.split("-")[:2]
        wheel_file = libs / f"{name}-{version}.dist-info" / "WHEEL"
        text = wheel_file.read_text()
        have = {line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Tag:")}
        extra = [t for t in wheel_tags(whl) if t not in have]
        if extra:
            wheel_file.write_text(text.rstrip("\n") + "\n" + "".join(f"Tag: {t}\n" for t in extra))


def fill_libs(libs: Path, pure: list[Path], binary: list[Path]) -> None:
    for whl in pure:
        unpack(whl, libs)
    first: dict[str, Path] = {}
    for whl in binary:
        project = whl.name.split("-")[0]
        if project in first:
            unpack(whl, libs, only_native=True)
        else:
            first[project] = whl
            unpack(whl, libs)
    merge_wheel_tags(libs, binary)
    # Nothing that differs between builds or that pip would rewrite: RECORD lists the first wheel only.
    for record in libs.glob("*.dist-info/RECORD"):
        record.unlink()


def stage(work: Path) -> Path:
    """A copy of client-vscode/ without its build outputs, sharing its node_modules."""
    ext = work / "ext"
    outputs = shutil.ignore_patterns("node_modules", "out", "dist", "libs", "*.vsix", "target.json")
    shutil.copytree(HERE, ext, ignore=outputs)
    (ext / "node_modules").symlink_to(HERE / "node_modules", target_is_directory=True)
    return ext


def package(target: str, pure: list[Path], cache: Path, dist: Path, pinned: dict[str, str]) -> Path:
    binary = binary_wheels(target, cache, pinned)
    with tempfile.TemporaryDirectory(prefix=f"vsix-{target}-") as tmp:
        ext = stage(Path(tmp))
        libs = ext / "bundled" / "libs"
        fill_libs(libs, pure, binary)
        info = {"target": target, "python": PYTHONS, "wheels": sorted(w.name for w in pure + binary)}
        (ext / "bundled" / "target.json").write_text(json.dumps(info, indent=2) + "\n")
        made = Path(tmp) / f"pip-cache-lsp-{target}.vsix"
        subprocess.run(["npm", "run", "--silent", "vsce", "--", "--target", target, "--out", str(made)],
                       cwd=ext, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, str(HERE / "scripts" / "normalise-vsix.py"), str(made)], check=True)
        # Into place in one step: `make -j` may run `vsix` and `vsix-all` (both build this machine's) at once.
        out = dist / made.name
        partial = dist / f".{made.name}.{os.getpid()}"
        shutil.copy(made, partial)
        os.replace(partial, out)
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="+", metavar="TARGET", help=f"host or one of: {' '.join(TARGETS)}")
    parser.add_argument("--wheels", type=Path, default=ROOT / ".tools" / "vsix-wheels", help="wheel cache")
    parser.add_argument("--dist", type=Path, default=HERE / "dist", help="where the .vsix files go")
    parser.add_argument("--copy-to", type=Path, help="also copy the (single) .vsix built to this file")
    args = parser.parse_args(argv)
    targets = [host_target() if t == "host" else t for t in args.targets]
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {' '.join(unknown)}; known: {' '.join(TARGETS)}")
    os.environ.setdefault("SOURCE_DATE_EPOCH", "315532800")
    args.dist.mkdir(parents=True, exist_ok=True)
    pinned = pins()
    built, skipped = [], []
    with tempfile.TemporaryDirectory(prefix="vsix-pure-") as tmp:
        started = time.monotonic()
        pure = pure_part(Path(tmp), args.wheels.resolve(), pinned)
        log(f"pure-Python part: {len(pure)} wheels ({time.monotonic() - started:.1f}s)")
        for target in targets:
            started = time.monotonic()
            try:
                out = package(target, pure, args.wheels.resolve(), args.dist.resolve(), pinned)
            except Unavailable as exc:
                skipped.append(target)
                log(f"{target}: skipped: {exc}")
                continue
            built.append(out)
            log(f"{target}: {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out} "
                f"({out.stat().st_size // 1024} KiB, {time.monotonic() - started:.1f}s)")
    if args.copy_to and len(built) == 1:
        partial = args.copy_to.with_name(f".{args.copy_to.name}.{os.getpid()}")
        shutil.copy(built[0], partial)
        os.replace(partial, args.copy_to)
        log(f"copied to {args.copy_to}")
    return 1 if skipped else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
