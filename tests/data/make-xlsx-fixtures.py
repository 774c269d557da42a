#!/usr/bin/python3
# make-xlsx-fixtures.py - XLSX rosters written by a tool photosheet did not write (openpyxl).
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run once, by hand, and commit the output; the tests read the committed files
# and need no Python:
#
#   apt-get install python3-openpyxl     # Debian 12: openpyxl 3.0.9
#   /usr/bin/python3 tests/data/make-xlsx-fixtures.py tests/data
#
# Rows 2.. are the first rows of samples/roster.csv (so the sample photos
# match their 采集码), some of them changed as a school's Excel file would
# have them:
#
# roster-openpyxl-numbers.xlsx (sheet "名单"):
#   row 2  as in the samples, 学号 and 时间戳 stored as numbers (15 and 13 digits: exact)
#   row 3  学号 a 20-digit number (12345678901234567890)
#   row 4  证件号码 the float 1.1010519491231e+17 (what Excel keeps of 11010519491231002X... as a number)
#   row 5  证件号码 an 18-digit integer (440301199001011234): Excel would keep 15 digits
#   row 6  采集码 the error value #N/A
#   row 7  学号 TRUE (a boolean cell)
#   row 8  姓名 张三丰 in full, 证件号码 11010519491231002X as text: masked on import
#   row 9  姓名 王　李 (padded with U+3000): printed 王*
#   row 10 as in the samples
# roster-openpyxl-hidden.xlsx:
#   sheet "Sheet1" (hidden): an old table without the 班级 column
#   sheet "名单" (visible): rows 2..5 of the samples
import csv
import os
import sys

import openpyxl

out = sys.argv[1] if len(sys.argv) > 1 else "."
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "..", "samples", "roster.csv"), encoding="utf-8") as f:
    rows = list(csv.reader(f))
header, data = rows[0], rows[1:]
col = {name: i for i, name in enumerate(header)}


def as_typed(row):
    """Numbers where a careless sheet has them: 学号 and 时间戳."""
    cells = list(row)
    cells[col["学号"]] = int(cells[col["学号"]])
    cells[col["时间戳"]] = int(cells[col["时间戳"]])
    return cells


def save(wb, name):
    # Fixed document properties, so that a rerun gives the same cells.
    wb.properties.creator = "photosheet tests"
    wb.save(os.path.join(out, name))


wb = openpyxl.Workbook()
ws = wb.active
ws.title = "名单"
ws.append(header)
changes = {
    1: ("学号", 12345678901234567890),
    2: ("证件号码", 1.1010519491231e17),
    3: ("证件号码", 440301199001011234),
    4: ("采集码", "#N/A"),
    5: ("学号", True),
    6: ("姓名", "张三丰"),
    7: ("姓名", "王\u3000李"),
}
for i in range(9):
    cells = as_typed(data[i])
    if i in changes:
        key, value = changes[i]
        cells[col[key]] = value
    if i == 6:
        cells[col["证件号码"]] = "11010519491231002X"
    ws.append(cells)
# openpyxl writes "#N/A" as an error cell (t="e") by itself; say it anyway.
ws.cell(row=6, column=col["采集码"] + 1).data_type = "e"
save(wb, "roster-openpyxl-numbers.xlsx")

wb = openpyxl.Workbook()
old = wb.active
old.title = "Sheet1"
old.append(["学号", "姓名"])
old.append(["1", "旧表"])
old.sheet_state = "hidden"
ws = wb.create_sheet("名单")
ws.append(header)
for i in range(4):
    ws.append(data[i])
wb.active = 1
save(wb, "roster-openpyxl-hidden.xlsx")
