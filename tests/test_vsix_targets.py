"""Each platform's .vsix (client-vscode/dist/pip-cache-lsp-<target>.vsix) carries binaries of that platform only.

`make test-vsix-targets` builds them (`make vsix-all`) and runs this file with VSIX_TARGETS set to
the targets it built: then a missing .vsix fails. Run alone (plain `pytest`), the file checks the
.vsix files that are there and skips when there are none.

The checks read the files themselves, without trusting the build script's notion of the target:
- the .vsix's manifest (TargetPlatform), its name and bundled/target.json name the same target;
- every file of the bundle that is a native binary (found by its magic number, whatever its name)
  is of the target's format and architecture: ELF e_machine (x86-64 0x3E, aarch64 0xB7) and, on
  Linux, its C library (DT_NEEDED libc.musl-*.so.1 on alpine, never on linux); Mach-O cputype
  (x86_64 0x01000007, arm64 0x0100000C; a fat binary needs a slice of the target); PE Machine
  (amd64 0x8664, arm64 0xAA64); and every .so/.pyd is such a binary;
- tree-sitter and tree-sitter-bash have a compiled module that each supported CPython (3.10-3.14)
  loads on that platform (by the file-name suffixes CPython looks for there);
- the `Tag:` lines of every .dist-info/WHEEL are of the target's platform (or `any`), and the
  binary projects' tags cover each supported CPython.
"""

from __future__ import annotations

import json
import os
import re
import struct
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DIST = Path(os.environ.get("VSIX_DIST") or ROOT / "client-vscode" / "dist")
PYTHONS = ["3.10", "3.11", "3.12", "3.13", "3.14"]
BINARY_PACKAGES = ("tree_sitter", "tree_sitter_bash")
BUNDLE = "extension/bundled/"

# target -> (format, architecture, C library, wheel platform tag pattern, extension-module suffix pattern
# with {v} for the CPython's "312"). The suffixes are those CPython's importlib.machinery.EXTENSION_SUFFIXES
# lists on that platform (on musl CPython < 3.13 says linux-gnu too; the C library check tells them apart).
TARGETS = {
    "linux-x64": ("elf", "x86_64", "glibc", r"(manylinux1|manylinux2010|manylinux2014|manylinux_\d+_\d+)_x86_64",
                  r"\.(cpython-{v}-x86_64-linux-gnu\.so|abi3\.so|so)"),
    "linux-arm64": ("elf", "aarch64", "glibc", r"(manylinux2014|manylinux_\d+_\d+)_aarch64",
                    r"\.(cpython-{v}-aarch64-linux-gnu\.so|abi3\.so|so)"),
    "alpine-x64": ("elf", "x86_64", "musl", r"musllinux_\d+_\d+_x86_64",
                   r"\.(cpython-{v}-x86_64-linux-(musl|gnu)\.so|abi3\.so|so)"),
    "alpine-arm64": ("elf", "aarch64", "musl", r"musllinux_\d+_\d+_aarch64",
                     r"\.(cpython-{v}-aarch64-linux-(musl|gnu)\.so|abi3\.so|so)"),
    "darwin-x64": ("macho", "x86_64", None, r"macosx_\d+_\d+_(x86_64|intel|universal2?)",
                   r"\.(cpython-{v}-darwin\.so|abi3\.so|so)"),
    "darwin-arm64": ("macho", "arm64", None, r"macosx_\d+_\d+_(arm64|universal2)",
                     r"\.(cpython-{v}-darwin\.so|abi3\.so|so)"),
    "win32-x64": ("pe", "x86_64", None, r"win_amd64", r"(\.cp{v}-win_amd64)?\.pyd"),
    "win32-arm64": ("pe", "arm64", None, r"win_arm64", r"(\.cp{v}-win_arm64)?\.pyd"),
}

ELF_MACHINES = {0x3E: "x86_64", 0xB7: "aarch64", 0x03: "x86", 0x28: "arm"}
MACHO_CPUS = {0x01000007: "x86_64", 0x0100000C: "arm64", 0x00000007: "x86", 0x0000000C: "arm"}
PE_MACHINES = {0x8664: "x86_64", 0xAA64: "arm64", 0x014C: "x86", 0x01C4: "arm"}


class NotABinary(Exception):
    pass


def elf_info(data: bytes) -> dict:
    if data[:4] != b"\x7fELF":
        raise NotABinary
    if data[4] != 2 or data[5] != 1:
        return {"format": "elf", "arch": f"ELF class {data[4]} data {data[5]} (not 64-bit little-endian)", "needed": []}
    (machine,) = struct.unpack_from("<H", data, 18)
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    needed = []
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, _entsize in sections:
        if kind != 6:  # SHT_DYNAMIC
            continue
        strtab = sections[link][4]
        for pos in range(offset, offset + size, 16):
            tag, value = struct.unpack_from("<qQ", data, pos)
            if tag == 0:
                break
            if tag == 1:  # DT_NEEDED
                end = data.index(b"\0", strtab + value)
                needed.append(data[strtab + value : end].decode())
    return {"format": "elf", "arch": ELF_MACHINES.get(machine, hex(machine)), "needed": needed}


def macho_info(data: bytes) -> dict:
    if data[:4] == b"\xcf\xfa\xed\xfe":  # MH_MAGIC_64, little-endian
        (cpu,) = struct.unpack_from("<I", data, 4)
        return {"format": "macho", "archs": [MACHO_CPUS.get(cpu, hex(cpu))]}
    if data[:4] in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"):  # FAT_MAGIC(_64), big-endian
        (count,) = struct.unpack_from(">I", data, 4)
        size = 20 if data[3] == 0xBE else 32
        if count > 30:
            raise NotABinary  # a Java class file has the same magic
        archs = []
        for i in range(count):
            (cpu,) = struct.unpack_from(">I", data, 8 + i * size)
            offset = struct.unpack_from(">I" if size == 20 else ">Q", data, 8 + i * size + 8)[0]
            inner = macho_info(data[offset:])["archs"][0]
            archs.append(MACHO_CPUS.get(cpu, hex(cpu)) if inner == MACHO_CPUS.get(cpu, hex(cpu)) else f"{hex(cpu)}/{inner}")
        return {"format": "macho", "archs": archs}
    if data[:4] in (b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf"):
        return {"format": "macho", "archs": ["32-bit or big-endian Mach-O"]}
    raise NotABinary


def pe_info(data: bytes) -> dict:
    if data[:2] != b"MZ" or len(data) < 0x40:
        raise NotABinary
    (lfanew,) = struct.unpack_from("<I", data, 0x3C)
    if data[lfanew : lfanew + 4] != b"PE\0\0":
        raise NotABinary
    (machine,) = struct.unpack_from("<H", data, lfanew + 4)
    return {"format": "pe", "arch": PE_MACHINES.get(machine, hex(machine))}


def binary_info(data: bytes) -> dict | None:
    for reader in (elf_info, macho_info, pe_info):
        try:
            return reader(data)
        except NotABinary:
            continue
        except (struct.error, ValueError, IndexError) as exc:
            return {"format": "broken", "arch": f"unreadable header: {exc}"}
    return None


def binary_problems(name: str, data: bytes, target: str) -> list[str]:
    """Why the file `name` does not belong in the bundle of `target` (empty: it does)."""
    fmt, arch, libc, _tags, _suffix = TARGETS[target]
    info = binary_info(data)
    if info is None:
        if name.endswith((".so", ".pyd", ".dylib", ".dll")):
            return [f"{name}: not an ELF, Mach-O or PE file"]
        return []
    if info["format"] != fmt:
        return [f"{name}: {info['format']} file, {target} needs {fmt}"]
    problems = []
    if fmt == "macho":
        if arch not in info["archs"]:
            problems.append(f"{name}: Mach-O for {'+'.join(info['archs'])}, {target} needs {arch}")
        elif any(a not in MACHO_CPUS.values() for a in info["archs"]):
            problems.append(f"{name}: fat Mach-O with a broken slice: {info['archs']}")
    elif info["arch"] != arch:
        problems.append(f"{name}: {fmt} for {info['arch']}, {target} needs {arch}")
    if fmt == "elf":
        musl = any(n.startswith("libc.musl-") for n in info["needed"])
        glibc = any(n in ("libc.so.6", "libpthread.so.0", "libm.so.6", "libdl.so.2") for n in info["needed"])
        if libc == "musl" and (glibc or not musl):
            problems.append(f"{name}: linked for glibc, not musl (needs {info['needed']})")
        if libc == "glibc" and musl:
            problems.append(f"{name}: linked for musl, not glibc (needs {info['needed']})")
    return problems


def wheel_tag_problems(name: str, text: str, target: str) -> list[str]:
    platform_tag = TARGETS[target][3]
    tags = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Tag:")]
    if not tags:
        return [f"{name}: no Tag: line"]
    problems = []
    for tag in tags:
        python, abi, plat = tag.split("-")
        if plat == "any":
            if abi != "none":
                problems.append(f"{name}: tag {tag}")
        elif not all(re.fullmatch(platform_tag, p) for p in plat.split(".")):
            problems.append(f"{name}: tag {tag} is not for {target}")
        elif not re.fullmatch(r"cp3\d+", python) or abi not in (python, "abi3"):
            problems.append(f"{name}: tag {tag} is not for CPython")
    return problems


def vsix_problems(path: Path, target: str) -> list[str]:
    """Everything wrong with the .vsix at `path` for `target`."""
    problems = []
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        manifest = z.read("extension.vsixmanifest").decode()
        found = re.search(r'TargetPlatform="([^"]*)"', manifest)
        if not found or found.group(1) != target:
            problems.append(f"manifest TargetPlatform is {found.group(1) if found else 'missing'}, not {target}")
        if f"{BUNDLE}target.json" in names:
            info = json.loads(z.read(f"{BUNDLE}target.json"))
            if info.get("target") != target:
                problems.append(f"bundled/target.json names {info.get('target')}, not {target}")
            if info.get("python") != PYTHONS:
                problems.append(f"bundled/target.json lists CPython {info.get('python')}, not {PYTHONS}")
        else:
            problems.append("no bundled/target.json")

        for name in names:
            if name.startswith(BUNDLE) and not name.endswith("/"):
                with z.open(name) as f:
                    head = f.read(4)
                if head[:4] in (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf",
                                b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf") or head[:2] == b"MZ" \
                        or name.endswith((".so", ".pyd", ".dylib", ".dll")):
                    problems += binary_problems(name[len(BUNDLE) :], z.read(name), target)

        suffix = TARGETS[target][4]
        for package in BINARY_PACKAGES:
            modules = [n for n in names if n.startswith(f"{BUNDLE}libs/{package}/_binding")]
            for python in PYTHONS:
                pattern = re.escape(f"{BUNDLE}libs/{package}/_binding") + suffix.format(v=python.replace(".", ""))
                if not any(re.fullmatch(pattern, n) for n in modules):
                    problems.append(f"{package}: no compiled module CPython {python} loads on {target} (have {modules})")

        wheels = [n for n in names if re.fullmatch(re.escape(BUNDLE) + r"libs/[^/]+\.dist-info/WHEEL", n)]
        for package in BINARY_PACKAGES:
            if not any(n.split("/")[-2].startswith(package + "-") for n in wheels):
                problems.append(f"no {package} .dist-info/WHEEL")
        for name in wheels:
            text = z.read(name).decode()
            problems += wheel_tag_problems(name[len(BUNDLE) :], text, target)
            if name.split("/")[-2].split("-")[0] in BINARY_PACKAGES:
                covered = set()
                for tag in re.findall(r"^Tag:\s*(\S+)", text, re.M):
                    python, abi, _ = tag.split("-")
                    if re.fullmatch(r"cp3\d+", python):
                        low = int(python[3:])
                        covered |= {v for v in range(low, 100) if abi == "abi3"} | {low}
                for python in PYTHONS:
                    if int(python.split(".")[1]) not in covered:
                        problems.append(f"{name[len(BUNDLE):]}: no tag for CPython {python}")
    return problems


def built() -> list[tuple[str, Path]]:
    required = os.environ.get("VSIX_TARGETS", "").split()
    if required:
        return [(t, DIST / f"pip-cache-lsp-{t}.vsix") for t in required]
    return [(t, DIST / f"pip-cache-lsp-{t}.vsix") for t in TARGETS if (DIST / f"pip-cache-lsp-{t}.vsix").exists()]


@pytest.mark.parametrize(("target", "path"), built() or [pytest.param(None, None, marks=pytest.mark.skip(
    reason="no client-vscode/dist/*.vsix: `make test-vsix-targets` builds them and runs this"))])
def test_vsix_carries_binaries_of_its_target_only(target: str, path: Path) -> None:
    assert target in TARGETS, f"VSIX_TARGETS names {target}, which this test does not know"
    assert path.exists(), f"{path} was not built"
    assert vsix_problems(path, target) == []


# The checks themselves, on headers made here: each must catch a binary of another platform.


def elf(machine: int, needed: list[str]) -> bytes:
    """A minimal ELF64 shared object: header, .dynstr, .dynamic, section headers."""
    dynstr = b"\0" + b"".join(n.encode() + b"\0" for n in needed)
    offsets, pos = [], 1
    for n in needed:
        offsets.append(pos)
        pos += len(n) + 1
    dynamic = b"".join(struct.pack("<qQ", 1, o) for o in offsets) + struct.pack("<qQ", 0, 0)
    strtab_off = 64
    dyn_off = strtab_off + len(dynstr)
    shoff = dyn_off + len(dynamic)
    header = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) + struct.pack("<HHIQQQIHHHHHH", 3, machine, 1, 0, 0, shoff, 0, 64, 0, 0, 64, 3, 0)
    sections = struct.pack("<IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    sections += struct.pack("<IIQQQQIIQQ", 0, 3, 0, 0, strtab_off, len(dynstr), 0, 0, 1, 0)
    sections += struct.pack("<IIQQQQIIQQ", 0, 6, 0, 0, dyn_off, len(dynamic), 1, 0, 8, 16)
    return header + dynstr + dynamic + sections


def macho(cpu: int) -> bytes:
    return b"\xcf\xfa\xed\xfe" + struct.pack("<II", cpu, 3) + bytes(20)


def fat(*cpus: int) -> bytes:
    head = b"\xca\xfe\xba\xbe" + struct.pack(">I", len(cpus))
    base = 8 + 20 * len(cpus)
    slices = [macho(c) for c in cpus]
    offset = base
    for cpu, s in zip(cpus, slices, strict=True):
        head += struct.pack(">IIIII", cpu, 3, offset, len(s), 0)
        offset += len(s)
    return head + b"".join(slices)


def pe(machine: int) -> bytes:
    return b"MZ" + bytes(0x3A) + struct.pack("<I", 0x40) + b"PE\0\0" + struct.pack("<H", machine) + bytes(18)


GLIBC, MUSL_X64, MUSL_ARM64 = ["libc.so.6"], ["libc.musl-x86_64.so.1"], ["libc.musl-aarch64.so.1"]


@pytest.mark.parametrize(
    ("target", "data", "ok"),
    [
        ("linux-x64", elf(0x3E, GLIBC), True),
        ("linux-x64", elf(0x3E, []), True),
        ("linux-x64", elf(0xB7, GLIBC), False),
        ("linux-x64", elf(0x3E, MUSL_X64), False),
        ("linux-arm64", elf(0xB7, GLIBC), True),
        ("linux-arm64", elf(0x3E, GLIBC), False),
        ("alpine-x64", elf(0x3E, MUSL_X64), True),
        ("alpine-x64", elf(0x3E, GLIBC), False),
        ("alpine-x64", elf(0xB7, MUSL_ARM64), False),
        ("alpine-arm64", elf(0xB7, MUSL_ARM64), True),
        ("darwin-x64", macho(0x01000007), True),
        ("darwin-x64", macho(0x0100000C), False),
        ("darwin-x64", fat(0x01000007, 0x0100000C), True),
        ("darwin-arm64", fat(0x01000007, 0x0100000C), True),
        ("darwin-arm64", fat(0x01000007), False),
        ("darwin-arm64", macho(0x0100000C), True),
        ("darwin-arm64", elf(0xB7, GLIBC), False),
        ("win32-x64", pe(0x8664), True),
        ("win32-x64", pe(0xAA64), False),
        ("win32-x64", pe(0x014C), False),
        ("win32-arm64", pe(0xAA64), True),
        ("win32-arm64", macho(0x0100000C), False),
        ("linux-x64", pe(0x8664), False),
        ("linux-x64", b"#!/bin/sh\n", False),  # a .so that is no binary at all
    ],
)
def test_binary_checks(target: str, data: bytes, ok: bool) -> None:
    assert (binary_problems("x/_binding.so", data, target) == []) is ok


@pytest.mark.parametrize(
    ("target", "tag", "ok"),
    [
        ("linux-x64", "cp312-cp312-manylinux_2_17_x86_64", True),
        ("linux-x64", "cp310-abi3-manylinux2014_x86_64", True),
        ("linux-x64", "py3-none-any", True),
        ("linux-x64", "cp312-cp312-musllinux_1_2_x86_64", False),
        ("linux-x64", "cp312-cp312-manylinux_2_17_aarch64", False),
        ("alpine-x64", "cp312-cp312-musllinux_1_2_x86_64", True),
        ("alpine-x64", "cp312-cp312-manylinux_2_17_x86_64", False),
        ("darwin-arm64", "cp312-cp312-macosx_11_0_arm64", True),
        ("darwin-arm64", "cp312-cp312-macosx_10_13_x86_64", False),
        ("darwin-x64", "cp312-cp312-macosx_10_13_universal2", True),
        ("win32-arm64", "cp312-cp312-win_arm64", True),
        ("win32-arm64", "cp312-cp312-win_amd64", False),
        ("win32-x64", "pp310-pypy310_pp73-win_amd64", False),
    ],
)
def test_wheel_tag_checks(target: str, tag: str, ok: bool) -> None:
    assert (wheel_tag_problems("x.dist-info/WHEEL", f"Wheel-Version: 1.0\nTag: {tag}\n", target) == []) is ok


def test_a_built_vsix_with_a_module_of_another_platform_fails(tmp_path: Path) -> None:
    """A real .vsix with one of its modules swapped for another platform's is rejected."""
    have = dict(built())
    if not all(t in have and have[t].exists() for t in ("linux-x64", "linux-arm64")):
        pytest.skip("needs the linux-x64 and linux-arm64 .vsix files")
    with zipfile.ZipFile(have["linux-arm64"]) as z:
        arm = z.read(f"{BUNDLE}libs/tree_sitter/_binding.cpython-312-aarch64-linux-gnu.so")
    swapped = tmp_path / "pip-cache-lsp-linux-x64.vsix"
    with zipfile.ZipFile(have["linux-x64"]) as src, zipfile.ZipFile(swapped, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == f"{BUNDLE}libs/tree_sitter/_binding.cpython-312-x86_64-linux-gnu.so":
                data = arm
            dst.writestr(info, data)
    assert vsix_problems(swapped, "linux-x64") == [
        "libs/tree_sitter/_binding.cpython-312-x86_64-linux-gnu.so: elf for aarch64, linux-x64 needs x86_64"
    ]
    assert vsix_problems(have["linux-x64"], "linux-arm64") != []
