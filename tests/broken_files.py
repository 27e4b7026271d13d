"""Ways to break a copy of a workbook or CSV file, for the reader tests and the bad-input fuzz.

Workbooks are handled as bytes (an ``.xlsx`` is a zip archive of XML parts): a part can be
dropped, cut short or edited without openpyxl, as damage happens to real files.
"""

from __future__ import annotations

import io
import re
import zipfile

from fixture_files import FixtureCopy

from tees_analysis.data import template


def rewrite_zip(data: bytes, edit) -> bytes:
    """The archive ``data`` with each member passed through ``edit(name, bytes)``.

    ``edit`` returns the new bytes of the member, or ``None`` to leave the member out.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = edit(info.filename, source.read(info.filename))
            if member is not None:
                target.writestr(info, member)
    return out.getvalue()


def workbook_bytes(copy: FixtureCopy, edit=None) -> bytes:
    """The fixture rows in the data-entry template, as ``.xlsx`` bytes; ``edit(wb)`` first."""
    wb = copy.template_workbook()
    if edit is not None:
        edit(wb)
    return template.xlsx_bytes(wb)


def sheet_part(data: bytes, title: str) -> str:
    """The archive member of the sheet named ``title`` (``xl/worksheets/sheetN.xml``)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*r:id="([^"]+)"', workbook)
    target = re.search(rf'<Relationship [^>]*Id="{rid[1]}"[^>]*Target="([^"]+)"', rels)
    if target is None:  # attributes in the other order
        target = re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid[1]}"', rels)
    return "xl/" + target[1].removeprefix("/xl/")


def shared_string_cell(data: bytes, title: str, cell: str, index: int) -> bytes:
    """Make ``cell`` of sheet ``title`` refer to shared string ``index`` (which may not exist)."""
    part = sheet_part(data, title)

    def edit(name, member):
        if name != part:
            return member
        pattern = rf'<c r="{cell}"([^>]*?) t="inlineStr"([^>]*)><is>.*?</is></c>'
        new, n = re.subn(pattern, rf'<c r="{cell}"\1 t="s"\2><v>{index}</v></c>', member.decode())
        assert n == 1, f"no inline string in {cell}"
        return new.encode()

    return rewrite_zip(data, edit)
