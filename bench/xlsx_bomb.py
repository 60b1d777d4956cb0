"""A decompression-bomb workbook for the bounded-input test and benchmark: a few hundred KB on disk,
`rows` rows of one short cell once unpacked (5 M rows unpack to about 150 MB)."""

import io
import zipfile

import openpyxl


def xlsx_bomb(rows: int) -> bytes:
    template = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["summary"])
    workbook.save(template)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info, source.read(info))
                continue
            with bomb.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>summary</t>'
                    b"</is></c></row>"
                )
                chunk = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 10_000
                for _ in range(rows // 10_000):
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()
