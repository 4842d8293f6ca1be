"""Rewrite a .vsix (a zip) with fixed timestamps and entry order, so that equal inputs give equal bytes.

vsce stamps each entry with the file's mtime, or the current time for the files it generates.
"""

import sys
import zipfile

FIXED = (1980, 1, 1, 0, 0, 0)


def normalise(path: str) -> None:
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w") as dst:
        for info, data in sorted(entries, key=lambda e: (e[0].filename != "[Content_Types].xml", e[0].filename)):
            fixed = zipfile.ZipInfo(info.filename, FIXED)
            fixed.external_attr = info.external_attr
            fixed.create_system = 3
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data, compresslevel=9)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        normalise(arg)
