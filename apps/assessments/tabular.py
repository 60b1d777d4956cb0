"""Evidence from CSV and XLSX files: the columns, parsing and row-by-row validation.

Columns (header row required, names case-insensitive, order free): summary (required), source,
citation, date (YYYY-MM-DD), type, credibility (low|medium|high), relevance (low|medium|high), origin (the
name of its source in the register; a new name adds an ungraded source), information (its credibility, 1–6).
Blank credibility or relevance means medium; blank type means report. Techniques may add optional
columns (Key Assumptions: `challenges`, `supports`); their cells travel in each item's "links".
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django import forms

from apps.core.dates import IsoDateField

from .models import Evidence
from .techniques import evidence_columns

COLUMNS = ["summary", "source", "citation", "date", "type", "credibility", "relevance", "origin", "information"]
REQUIRED = {"summary"}
MAX_ROWS = 5000
# Every field's own limit is lower (Evidence.summary: 5,000); a longer cell is refused before the forms run.
MAX_CELL_CHARS = 10_000
MAX_COLUMNS = 64
# An XLSX is a zip: a 700 KB file can unpack to gigabytes. Its members are measured before any parsing.
MB = 1024 * 1024
MAX_XLSX_UNPACKED_BYTES = 25 * MB
# openpyxl scans a whole sheet that lacks a <dimension> before the first row, even in read-only mode.
MAX_XLSX_SHEET_BYTES = 8 * MB


class EvidenceRowForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = COLUMNS
        field_classes = {"date": IsoDateField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].required = False
        self.fields["credibility"].required = False
        self.fields["relevance"].required = False

    def clean(self):
        data = super().clean()
        data["type"] = data.get("type") or Evidence.Type.REPORT
        data["credibility"] = data.get("credibility") or "medium"
        data["relevance"] = data.get("relevance") or "medium"
        return data


@dataclass
class ParsedFile:
    rows: list[dict] = field(default_factory=list)  # raw values by column
    items: list[dict] = field(default_factory=list)  # cleaned values, when the row is valid
    row_errors: dict[int, list[str]] = field(default_factory=dict)  # 1-based data row -> errors
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors and bool(self.items)


def _read_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError("The CSV file is not UTF-8 text.") from exc
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text)):
            _check_cells(row, len(rows) + 1)
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                raise ValueError(f"Too many rows (more than {MAX_ROWS}); import at most {MAX_ROWS} at a time.")
    except csv.Error as exc:
        # The csv module refuses fields over 128 KB on its own; say so in our terms.
        if "field larger than field limit" in str(exc):
            raise ValueError(f"Row {len(rows) + 1}: a cell is longer than {MAX_CELL_CHARS} characters.") from exc
        raise ValueError(f"Line {len(rows) + 1} is not readable CSV ({exc}).") from exc
    return rows


def _check_cells(row: list, number: int) -> None:
    if len(row) > MAX_COLUMNS:
        raise ValueError(f"Row {number} has {len(row)} cells; at most {MAX_COLUMNS}.")
    for column, value in enumerate(row, start=1):
        if isinstance(value, str):
            if len(value) > MAX_CELL_CHARS:
                raise ValueError(f"Row {number}, column {column}: longer than {MAX_CELL_CHARS} characters.")
            if "\x00" in value:
                raise ValueError(f"Row {number}, column {column}: contains a NUL character.")


def _check_unpacked_size(content: bytes) -> None:
    """Decompress every member, counting, and stop as soon as a limit is passed: the sizes a zip declares
    can lie, the bytes that come out cannot."""
    total = 0
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for info in archive.infolist():
            size = 0
            limit = MAX_XLSX_SHEET_BYTES if info.filename.startswith("xl/worksheets/") else MAX_XLSX_UNPACKED_BYTES
            with archive.open(info) as member:
                while chunk := member.read(MB):
                    size += len(chunk)
                    total += len(chunk)
                    if size > limit or total > MAX_XLSX_UNPACKED_BYTES:
                        raise ValueError(
                            f"The workbook unpacks to too much data (at {info.filename}): at most"
                            f" {MAX_XLSX_UNPACKED_BYTES // MB} MB in all and {MAX_XLSX_SHEET_BYTES // MB} MB per sheet."
                        )


def _read_xlsx(content: bytes) -> list[list[str]]:
    import openpyxl

    try:
        _check_unpacked_size(content)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
        raise ValueError("The file is not a readable XLSX workbook.") from exc
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        # Read-only mode streams the sheet; stop one row past the limit instead of reading it all.
        for row in sheet.iter_rows(values_only=True):
            values = ["" if v is None else (v.date().isoformat() if hasattr(v, "date") else str(v)) for v in row]
            while values and values[-1] == "":
                values.pop()
            _check_cells(values, len(rows) + 1)
            rows.append(values)
            if len(rows) > MAX_ROWS + 1:
                raise ValueError(f"Too many rows (more than {MAX_ROWS}); import at most {MAX_ROWS} at a time.")
    except ValueError:
        raise
    # openpyxl raises many exception types for a corrupt file.
    except Exception as exc:
        raise ValueError("The file is not a readable XLSX workbook.") from exc
    return rows


def evidence_file_parse(*, content: bytes, filename: str, assessment=None) -> ParsedFile:
    parsed = ParsedFile()
    try:
        if filename.lower().endswith(".xlsx"):
            table = _read_xlsx(content)
        elif filename.lower().endswith(".csv"):
            table = _read_csv(content)
        else:
            parsed.file_errors.append("Upload a .csv or .xlsx file.")
            return parsed
    except ValueError as exc:
        parsed.file_errors.append(str(exc))
        return parsed
    table = [row for row in table if any(str(cell).strip() for cell in row)]
    # Our own exports start with the handling marking.
    if table and str(table[0][0]).startswith("Handling marking: "):
        table = table[1:]
    if not table:
        parsed.file_errors.append("The file is empty: it needs a header row and at least one row of evidence.")
        return parsed
    header = [str(cell).strip().lower() for cell in table[0]]
    extra_columns = evidence_columns() if assessment is not None else {}
    known = COLUMNS + list(extra_columns)
    unknown = [name for name in header if name and name not in known]
    if unknown:
        parsed.file_errors.append(f"Unknown columns: {', '.join(unknown)}. Known columns: {', '.join(known)}.")
    missing = REQUIRED - set(header)
    if missing:
        parsed.file_errors.append(f"Missing required column: {', '.join(sorted(missing))}.")
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        parsed.file_errors.append(f"Duplicate columns: {', '.join(duplicated)}.")
    if len(table) - 1 > MAX_ROWS:
        parsed.file_errors.append(f"Too many rows ({len(table) - 1}); import at most {MAX_ROWS} at a time.")
    if len(table) == 1:
        parsed.file_errors.append("The file has a header row but no evidence rows.")
    if parsed.file_errors:
        return parsed
    for number, row in enumerate(table[1:], start=1):
        if len(row) > len(header):
            parsed.row_errors[number] = [f"has {len(row)} cells but the header has {len(header)} columns"]
        values = {name: str(row[i]).strip() if i < len(row) else "" for i, name in enumerate(header) if name}
        parsed.rows.append(values)
        form = EvidenceRowForm(data={k: v for k, v in values.items() if k in COLUMNS})
        links = {name: values[name] for name in extra_columns if values.get(name)}
        link_errors = [
            f"{name}: {error}" for name, raw in links.items() for error in extra_columns[name].validate(assessment, raw)
        ]
        if form.is_valid() and not link_errors:
            parsed.items.append({**form.cleaned_data, "links": links} if links else form.cleaned_data)
        else:
            parsed.row_errors.setdefault(number, []).extend(
                f"{name}: {' '.join(errors)}" if name != "__all__" else " ".join(errors)
                for name, errors in form.errors.items()
            )
            if link_errors:
                parsed.row_errors.setdefault(number, []).extend(link_errors)
    return parsed
