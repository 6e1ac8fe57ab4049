"""CSV rows of every view, and a download name any community id survives."""

import re
from urllib.parse import unquote

import pytest

from stats.csvexport import content_disposition, flatten, render


def filename_star(header: str) -> str:
    match = re.search(r"filename\*=UTF-8''([^;\s]+)$", header)
    assert match, header
    return unquote(match.group(1), encoding="utf-8")


@pytest.mark.parametrize("community", ["二桥西", 'a"b', "x\r\nSet-Cookie: y=1", "a;b c\\d", "é"])
def test_the_download_name_keeps_any_community_exactly_and_the_header_stays_one_line(community):
    name = f"stats-{community}-summary-20261130.csv"
    header = content_disposition(name)
    assert header.isascii() and "\r" not in header and "\n" not in header
    assert filename_star(header) == name
    fallback = re.match(r'attachment; filename="([^"]*)"; ', header).group(1)
    assert re.fullmatch(r"[A-Za-z0-9._-]+", fallback)


def test_nested_figures_flatten_to_dotted_columns_and_lists_to_bars():
    assert flatten({"a": 1, "b": {"c": None, "d": [1, 2]}}) == {"a": 1, "b.c": "", "b.d": "1|2"}


def test_csv_starts_with_a_bom_for_spreadsheets():
    assert render([["figure", "value"], ["collected", 3]]) == "\ufefffigure,value\r\ncollected,3\r\n"
