"""The dataset's tables and their columns, documented once: the export, the loader and the
public data page all read `TABLES`."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

FORMAT = "reform-archive-dataset"
VERSION = 1
# A file bigger than this is refused before it is parsed (the seed archive exports to ~0.1 MB).
DEFAULT_MAX_BYTES = getattr(settings, "DATASET_MAX_BYTES", 512 * 1024 * 1024)
# CSV files start with a byte order mark so that Excel and WPS read them as UTF-8 (without it they
# guess the ANSI code page and show mojibake); pandas and readr skip it, Python's csv needs
# encoding="utf-8-sig". The loader accepts files with or without it.
CSV_ENCODING = "utf-8-sig"
MAX_REPORTED_PROBLEMS = 50

TEXT, INTEGER, DECIMAL, DATE, DATETIME = "text", "integer", "decimal", "date", "datetime"
TYPE_LABELS = {
    TEXT: _("文本"),
    INTEGER: _("整数"),
    DECIMAL: _("小数"),
    DATE: _("日期 YYYY-MM-DD"),
    DATETIME: _("时间 ISO 8601，含时区"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    nullable: bool = False
    # "table.column" this column refers to.
    references: str = ""
    # Derived from other columns: recomputed by the archive, ignored (url) or checked (passage) on load.
    derived: bool = False
    # Added after version 1 (a text column): a file exported before it may lack it; it loads as "".
    optional: bool = False

    @property
    def type_label(self) -> str:
        return TYPE_LABELS[self.type]


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def csv_filename(self) -> str:
        return f"{self.name}.csv"


TABLES: tuple[Table, ...] = (
    Table(
        "cities",
        _("收录了报告的城市（地级行政区），取自国家统计局行政区划代码表。按 slug 排序。"),
        (
            Column("slug", TEXT, _("城市的拼音标识，如 zhuzhou；其他表以它指代城市")),
            Column("adcode", TEXT, _("六位行政区划代码")),
            Column("name", TEXT, _("全称，如 株洲市")),
            Column("short_name", TEXT, _("简称，如 株洲")),
            Column("province", TEXT, _("所属省级行政区，如 湖南省")),
            Column(
                "level",
                TEXT,
                _(
                    "行政级别：municipality 直辖市、sub_provincial 副省级市、prefecture_city 地级市、"
                    "autonomous_prefecture 自治州、prefecture 地区、league 盟"
                ),
            ),
            Column("longitude", DECIMAL, _("政府驻地经度（WGS84，度）；未知时为空"), nullable=True),
            Column("latitude", DECIMAL, _("政府驻地纬度（WGS84，度）；未知时为空"), nullable=True),
        ),
    ),
    Table(
        "categories",
        _("政策领域，改革举措按它分组。按 slug 排序。"),
        (
            Column("slug", TEXT, _("政策领域的标识")),
            Column("name", TEXT, _("中文名称")),
            Column("name_en", TEXT, _("英文名称")),
            Column("order", INTEGER, _("在档案页面上的排列顺序")),
            Column("description", TEXT, _("说明")),
        ),
    ),
    Table(
        "initiatives",
        _("人工整理的改革举措（如 河长制、放管服）。按 slug 排序。"),
        (
            Column("slug", TEXT, _("改革举措的标识，也是它在档案中的网址的一部分")),
            Column("name", TEXT, _("名称")),
            Column("name_en", TEXT, _("英文名称（英文界面显示；可为空字符串）"), optional=True),
            Column("category", TEXT, _("所属政策领域"), references="categories.slug"),
            Column("description", TEXT, _("简介")),
            Column("description_en", TEXT, _("英文简介（可为空字符串）"), optional=True),
        ),
    ),
    Table(
        "aliases",
        _("改革举措在报告中出现的其他名称（如 河湖长制 是 河长制 的别名）。按名称排序。"),
        (
            Column("name", TEXT, _("别名")),
            Column("initiative", TEXT, _("它所指的改革举措"), references="initiatives.slug"),
        ),
    ),
    Table(
        "relations",
        _("相关但不同的改革举措（如 医共体 与 医联体）。关系是对称的，每对只列一次，前者的标识按字母顺序在前。"),
        (
            Column("initiative", TEXT, _("一项改革举措"), references="initiatives.slug"),
            Column("related", TEXT, _("与之相关的另一项改革举措"), references="initiatives.slug"),
        ),
    ),
    Table(
        "documents",
        _("改革报告：元数据与清理后的正文。按 id 排序。"),
        (
            Column("id", INTEGER, _("报告在档案中的编号，mentions 表以它指代报告")),
            Column("city", TEXT, _("报告所属城市"), references="cities.slug"),
            Column("title", TEXT, _("报告自己的标题；没有标题时为空（档案页面上显示方括号中的补拟标题）")),
            Column("year_start", INTEGER, _("报告所涉的起始年份；未知时为空"), nullable=True),
            Column("year_end", INTEGER, _("报告所涉的结束年份；与起始年份相同或未知时可为空"), nullable=True),
            Column("published_on", DATE, _("发布日期；未知时为空"), nullable=True),
            Column("source", TEXT, _("来源（发布者、报纸或网站）")),
            Column("authors", TEXT, _("作者，多位以“、”分隔")),
            Column("original_filename", TEXT, _("导入时的文件名")),
            Column("source_url", TEXT, _("从网址导入时抓取的原始网页地址（重定向后）；否则为空")),
            Column("fetched_at", DATETIME, _("抓取原始网页的时间；不是从网址导入时为空"), nullable=True),
            Column("url", TEXT, _("报告在档案中的页面地址（引用时请用它）；导入时忽略"), derived=True),
            Column("body", TEXT, _("清理后的正文，段落以换行符分隔；mentions 表的位置以字符计，指向它")),
        ),
    ),
    Table(
        "mentions",
        _("经人工确认的提及：某报告的某段文字提到了某项改革举措。只含已确认的，不含待审核或已否决的。按 id 排序。"),
        (
            Column("id", INTEGER, _("提及的编号；报告页面上以 #m<id> 定位")),
            Column("document", INTEGER, _("报告"), references="documents.id"),
            Column("initiative", TEXT, _("改革举措"), references="initiatives.slug"),
            Column("year", INTEGER, _("这段文字所指的年份；未知时为空"), nullable=True),
            Column(
                "year_source",
                TEXT,
                _(
                    "年份的依据：stated（这句话写明了年份）、context（上文的小标题或段首的年份）、"
                    "report（仅报告年份，意为“不晚于”该年：城市在这一年已实行，也可能早得多；多年报告取最后一年）"
                ),
            ),
            Column("start", INTEGER, _("证据段落在正文中的起始位置（字符，从 0 起）")),
            Column("end", INTEGER, _("证据段落的结束位置（字符，不含）")),
            Column("paragraph", INTEGER, _("证据所在段落的序号（从 1 起，报告页面上以 #p<序号> 定位）"), derived=True),
            Column("passage", TEXT, _("证据段落原文，即 body[start:end]；导入时核对"), derived=True),
            Column("confirmed_at", DATETIME, _("确认时间；未记录时为空"), nullable=True),
        ),
    ),
)
TABLES_BY_NAME = {table.name: table for table in TABLES}
README_NAME = "README.txt"
COLUMNS_NAME = "columns.csv"


class DatasetError(ValueError):
    """The file cannot be loaded; nothing was written. `problems` lists what is wrong, by place."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))
