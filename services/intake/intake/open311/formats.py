"""GeoReport v2 answers as JSON or XML, chosen by the path's extension.

JSON follows the spec's Spark convention (the XML root is dropped: a list of items, or the
object itself); XML is written with the standard library's ElementTree, schemaless and
without a namespace, with an `encoding="utf-8"` declaration. Both are UTF-8.
"""

import re
from datetime import datetime
from typing import Literal
from xml.etree import ElementTree

from fastapi.responses import JSONResponse, Response

Format = Literal["json", "xml"]
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
# Characters XML 1.0 cannot carry at all, even escaped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# List element -> the element each item gets in XML.
ITEM_NAMES = {"services": "service", "service_requests": "request", "attributes": "attribute",
              "values": "value", "endpoints": "endpoint", "formats": "format",
              "errors": "error", "jurisdictions": "jurisdiction"}


class Open311Error(Exception):
    """An error answered in the spec's shape: a list of {code, description}."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def text(value) -> str:
    """One value as XML text: booleans lower-case, times ISO 8601 with their offset."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return NOT_XML.sub("", str(value))


def jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def to_xml(root: str, value) -> bytes:
    """`value` (a list of items or an object) under the element `root`, with a declaration."""
    element = ElementTree.Element(root)
    _fill(element, root, value)
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def _fill(element: ElementTree.Element, name: str, value) -> None:
    if isinstance(value, list):
        item_name = ITEM_NAMES[name]
        for item in value:
            _fill(ElementTree.SubElement(element, item_name), item_name, item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, key), key, item)
    else:
        element.text = text(value)


def respond(fmt: str, root: str, value, status: int = 200) -> Response:
    """The answer in the requested format."""
    if fmt == "xml":
        return Response(to_xml(root, value), status_code=status, media_type=XML_TYPE)
    return JSONResponse(jsonable(value), status_code=status, media_type=JSON_TYPE)


def errors(fmt: str, status: int, descriptions: list[str]) -> Response:
    """The spec's error list; each code is the HTTP status."""
    return respond(fmt, "errors", [{"code": status, "description": d} for d in descriptions],
                   status)
