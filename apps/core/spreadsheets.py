"""Writing CSV and XLSX files that spreadsheet programs open as data, never as formulas.

A cell whose text begins with = + - @ tab or CR is read as a formula by Excel, LibreOffice and Google
Sheets (OWASP "CSV Injection"); a leading apostrophe makes it text. XLSX text cells are also written
with the string data type, so openpyxl never turns them into formula cells.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = Sequence[Any]


def cell_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([cell_safe(value) for value in row])
    return buffer.getvalue()


def xlsx_bytes(sheets: dict[str, Iterable[Row]]) -> bytes:
    """One worksheet per entry, in order; the first row of each is its header."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    workbook = openpyxl.Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=cell_safe(value))
                if isinstance(value, str):
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
