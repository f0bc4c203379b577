"""Reading an exported file (JSON, or a zip of CSV files) back into tables of typed values."""

import csv
import io
import json
import re
import zipfile
from pathlib import Path

from archive.dataset.cells import cell_restore
from archive.dataset.tables import (
    COLUMNS_NAME,
    CSV_ENCODING,
    DECIMAL,
    DEFAULT_MAX_BYTES,
    FORMAT,
    INTEGER,
    MAX_REPORTED_PROBLEMS,
    README_NAME,
    TABLES,
    TABLES_BY_NAME,
    TEXT,
    VERSION,
    Column,
    DatasetError,
    Table,
)


def dataset_read_path(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DatasetError(f"文件过大：{size} 字节，上限 {max_bytes} 字节")
        data = path.read_bytes()
    except OSError as error:
        raise DatasetError(f"无法读取 {path}：{error.strerror}") from error
    return dataset_read(data, max_bytes=max_bytes)


def dataset_read(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> dict:
    """The tables of a JSON export or a zip of CSV files, with CSV values typed as in JSON."""
    if len(data) > max_bytes:
        raise DatasetError(f"文件过大：{len(data)} 字节，上限 {max_bytes} 字节")
    if data[:4] == b"PK\x03\x04":
        return _read_zip(data, max_bytes=max_bytes)
    return _read_json(data)


def _reject_constant(name):
    raise ValueError(f"不是合法的 JSON 数值：{name}")


def _read_json(data: bytes) -> dict:
    try:
        document = json.loads(data.decode("utf-8-sig"), parse_constant=_reject_constant)
    except UnicodeDecodeError as error:
        raise DatasetError(f"既不是 zip 也不是 UTF-8 的 JSON 文件（第 {error.start} 字节无法解码）") from error
    except RecursionError as error:
        raise DatasetError("JSON 嵌套过深") from error
    except ValueError as error:
        raise DatasetError(f"不是合法的 JSON：{error}") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DatasetError(f'不是本档案导出的数据集（缺少 "format": "{FORMAT}"）')
    if document.get("version") != VERSION:
        raise DatasetError(f"不支持的数据集版本：{document.get('version')!r}（支持 {VERSION}）")
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise DatasetError('缺少 "tables" 对象')
    problems = []
    for table in TABLES:
        rows = tables.get(table.name)
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            problems.append(f"表 {table.name}：缺少，或不是由对象组成的列表")
    unknown = sorted(set(tables) - set(TABLES_BY_NAME))
    if unknown:
        problems.append(f"未知的表：{'、'.join(unknown)}")
    if problems:
        raise DatasetError(problems)
    return {table.name: tables[table.name] for table in TABLES}


def _read_zip(data: bytes, *, max_bytes: int) -> dict:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise DatasetError(f"不是完好的 zip 文件：{error}") from error
    names = {info.filename for info in infos}
    expected = {table.csv_filename for table in TABLES}
    unknown = sorted(names - expected - {README_NAME, COLUMNS_NAME})
    missing = sorted(expected - names)
    if unknown or missing:
        problems = [f"zip 中缺少 {name}" for name in missing] + [f"zip 中有未知的文件 {name}" for name in unknown]
        raise DatasetError(problems)
    if sum(info.file_size for info in infos if info.filename in expected) > max_bytes:
        raise DatasetError(f"解压后过大：上限 {max_bytes} 字节")
    tables = {}
    for table in TABLES:
        try:
            raw = archive.read(table.csv_filename)
            text = raw.decode(CSV_ENCODING)
        except UnicodeDecodeError as error:
            raise DatasetError(f"{table.csv_filename}：不是 UTF-8 文本（第 {error.start} 字节）") from error
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
            raise DatasetError(f"{table.csv_filename}：无法解压（{error}）") from error
        tables[table.name] = _csv_rows(table, text, max_field=max_bytes)
    return tables


INTEGER_TEXT = re.compile(r"-?[0-9]{1,18}")
DECIMAL_TEXT = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,12})?")


def _csv_rows(table: Table, text: str, *, max_field: int) -> list[dict]:
    """A CSV file's rows as JSON would have them: '' is null in nullable columns, numbers parsed,
    text cells neutralised against spreadsheet formulas restored (`cells.cell_restore`)."""
    previous_limit = csv.field_size_limit()
    csv.field_size_limit(max(previous_limit, max_field))
    problems = []
    rows = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None:
            raise DatasetError(f"{table.csv_filename}：文件为空，缺少列名行")
        missing = [column.name for column in table.columns if column.name not in header and not column.optional]
        unknown = [name for name in header if name not in table.column_names]
        if missing or unknown or len(set(header)) != len(header):
            raise DatasetError(
                f"{table.csv_filename}：列名应为 {','.join(table.column_names)}"
                + (f"；缺少 {','.join(missing)}" if missing else "")
                + (f"；未知 {','.join(unknown)}" if unknown else "")
            )
        for number, values in enumerate(reader, start=1):
            if len(values) != len(header):
                problems.append(f"{table.name} 表第 {number} 行：应有 {len(header)} 列，实有 {len(values)} 列")
                continue
            row = {}
            for column_name, value in zip(header, values, strict=True):
                column = next(c for c in table.columns if c.name == column_name)
                try:
                    row[column_name] = _csv_value(column, value)
                except ValueError as error:
                    problems.append(f"{table.name} 表第 {number} 行，列 {column_name}：{error}")
            rows.append(row)
            if len(problems) >= MAX_REPORTED_PROBLEMS:
                break
    except csv.Error as error:
        raise DatasetError(f"{table.csv_filename}：CSV 格式错误（{error}）") from error
    finally:
        csv.field_size_limit(previous_limit)
    if problems:
        raise DatasetError(problems)
    return rows


def _csv_value(column: Column, value: str):
    if value == "" and column.nullable:
        return None
    if column.type == INTEGER:
        if not INTEGER_TEXT.fullmatch(value):
            raise ValueError(f"不是整数：{value[:40]!r}")
        return int(value)
    if column.type == DECIMAL:
        if not DECIMAL_TEXT.fullmatch(value):
            raise ValueError(f"不是小数：{value[:40]!r}")
        return float(value)
    if column.type == TEXT:
        return cell_restore(value)
    return value
