"""Writes the expected comments of each saved page (tests/pages/expected/NAME.json).

A labelling aid, deliberately independent of palimpsest: it imports nothing from
`crawler` or `storage` and reads each page with plain lxml XPath, by a recipe named in
`recipes.RECIPES` (one family of markup per recipe, with per-page overrides). Its output
is a first draft that a person checks against the page; what the check corrects goes
into the page's recipe (an XPath, or a value read off the page such as `count_value`),
so that a re-run keeps it. Run: `python -m tests.pages.labeller [NAME...]`.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from copy import deepcopy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import html

from tests.pages import recipes

ROOT = Path(__file__).resolve().parent
TEXT_CHARS = 80
RE_NS = {"re": "http://exslt.org/regular-expressions"}
_WS = re.compile(r"\s+")
_SAYS = re.compile(
    r"(?:^|\s+)(says|said|sagt|dice|wrote|commented|on|пишет|говорит)\s*[:.,…]*\s*$|\s*[:|,]\s*$", re.IGNORECASE
)


def html_dir() -> Path:
    """The saved pages' folder, looked up in the order make eval-pages uses
    ($PALIMPSEST_PAGES_HTML, shared/pages/html beside the checkout, tests/pages/html)."""
    named = os.environ.get("PALIMPSEST_PAGES_HTML")
    places = ([Path(named)] if named else []) + [ROOT.parents[2] / "shared" / "pages" / "html", ROOT / "html"]
    found = [where for where in places if any(where.glob("*.html.gz"))]
    if not found:
        raise SystemExit(f"no saved pages in {', '.join(map(str, places))} (see tests/pages/README.md)")
    return found[0]


def load_doc(name: str) -> Any:
    raw = gzip.decompress((html_dir() / f"{name}.html.gz").read_bytes())
    return html.document_fromstring(raw)


def squash(text: str) -> str:
    return _WS.sub(" ", text.replace("\xa0", " ")).strip()


def text(el: Any) -> str:
    if el is None:
        return ""
    if isinstance(el, str):
        return squash(el)
    for bad in el.xpath(".//script|.//style|.//noscript"):
        bad.drop_tree()
    return squash(" ".join(el.itertext()))


def first(el: Any, xpaths: tuple[str, ...]) -> Any:
    for xp in xpaths:
        found = el.xpath(xp, namespaces=RE_NS)
        if isinstance(found, str):  # a string expression: substring-before(...) and the like
            if squash(found):
                return squash(found)
            continue
        for hit in found:
            if text(hit):
                return hit
    return None


def author_of(el: Any, xpaths: tuple[str, ...]) -> str:
    name = text(first(el, xpaths))
    while True:
        trimmed = _SAYS.sub("", name).strip()
        if trimmed == name:
            return name
        name = trimmed


def utc_of(raw: str | None) -> str | None:
    """An ISO 8601 value with its offset (datetime/title attributes) as UTC, else None."""
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- families --------------------------------------------------------------------------


def _number(value: str) -> str | None:
    """The comment's id in an element id: its trailing digits, else (TypePad's hex ids)
    what follows "comment-"."""
    match = re.search(r"(\d+)$", value or "") or re.search(r"comment-([0-9a-f]+)$", value or "")
    return match.group(1) if match else None


def items_by_id(doc: Any, rule: dict[str, Any]) -> list[tuple[str, Any]]:
    """(id, element) of every comment item, outermost element per id, page order."""
    pattern = rule.get("id_re", r"^(li-|div-)?comment-?\d+$")
    tags = rule.get("tags")
    seen: dict[str, Any] = {}
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        ident = el.get("id") or ""
        if not re.match(pattern, ident):
            continue
        if tags and el.tag not in tags:
            continue
        if rule.get("class_has") and rule["class_has"] not in (el.get("class") or "").split():
            continue
        if el.tag == "a" and not text(el):  # an anchor before the comment (Drupal, Joomla)
            el = el.getnext()
            if el is None:
                continue
        num = _number(ident)
        if num is None or num in seen:
            continue
        seen[num] = el
    return list(seen.items())


def own_copy(el: Any) -> Any:
    """The item without the comment items nested in it (its replies)."""
    clone = deepcopy(el)
    for bad in clone.xpath(".//script|.//style|.//noscript"):
        bad.drop_tree()
    for sub in clone.xpath(".//*[@id]"):
        # only replies, not the item's own inner wrapper (div-comment-N of li-comment-N)
        reply = re.match(r"^(li-|div-)?comment-?\d+$", sub.get("id"))
        if reply and _number(sub.get("id")) != _number(el.get("id") or ""):
            sub.drop_tree()
    for sub in clone.xpath(".//*[contains(concat(' ',@class,' '),' children ')]"):
        sub.drop_tree()
    return clone


def parent_of(el: Any, ids: dict[int, str]) -> str | None:
    for anc in el.iterancestors():
        if id(anc) in ids:
            return ids[id(anc)]
    return None


AUTHOR = (
    ".//*[contains(@class,'comment-author')]//*[contains(concat(' ',@class,' '),' fn ')]",
    ".//*[contains(concat(' ',@class,' '),' fn ')]",
    ".//cite",
    ".//*[contains(@class,'comment-author')]",
    ".//*[contains(@class,'author')]",
    ".//*[contains(concat(' ',@class,' '),' name ')]",
    ".//*[contains(@class,'user')]",
    ".//h3", ".//h4", ".//h5", ".//strong", ".//b",
)
DATE = (
    ".//time",
    ".//*[contains(@class,'comment-meta')]//a",
    ".//*[contains(@class,'commentmetadata')]",
    ".//*[contains(@class,'comment-meta')]",
    ".//*[contains(@class,'comment-date')]",
    ".//*[contains(@class,'date')]",
    ".//small",
)
TEXT = (
    ".//*[contains(@class,'comment-content')]",
    ".//*[contains(@class,'comment-text')]",
    ".//*[contains(@class,'commenttext')]",
    ".//*[contains(@class,'comment-entry')]",
    ".//*[contains(@class,'comment-body')][not(.//*[contains(@class,'comment-author')])]",
    ".//*[contains(@class,'comment-body')]/p",
    ".//*[contains(@class,'entry')]",
    ".//p",
)


def _body_text(el: Any, xpaths: tuple[str, ...], drop: tuple[str, ...]) -> str:
    """The text of every hit of the first XPath that finds text (the paragraphs of a
    comment are often siblings), leaving out hits nested in an earlier hit."""
    for xp in xpaths:
        found = el.xpath(xp, namespaces=RE_NS)
        if isinstance(found, str):
            if squash(found):
                return squash(found)
            continue
        hits = [h for h in found if not any(a in found for a in h.iterancestors())]
        parts = []
        for hit in hits:
            hit = deepcopy(hit)
            for sub in [s for x in drop for s in hit.xpath(x)]:
                sub.drop_tree()
            parts.append(text(hit))
        joined = squash(" ".join(parts))
        if joined:
            return joined
    return ""


def threaded_parent(el: Any, rule: dict[str, Any], by_el: dict[int, str],
                    stack: list[tuple[float, str]], num: str) -> str | None:
    """The item's threaded parent, by the rule's way of showing it.

    `parent`: an XPath giving the parent's id (a data attribute); `depth`: an XPath giving
    the item's depth, replies following their parent in a flat list (Hacker News, Drupal's
    `div.indented`), so the parent is the closest earlier item one level up; else nesting.
    """
    if rule.get("flat"):
        return None
    if "parent" in rule:
        return _number(str(el.xpath(rule["parent"]))) if el.xpath(rule["parent"]) else None
    if "depth" in rule:
        depth = float(el.xpath(rule["depth"]))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1] if stack else None
        stack.append((depth, num))
        return parent
    return parent_of(el, by_el)


def family_ids(doc: Any, rule: dict[str, Any]) -> list[dict[str, Any]]:
    """Items found by id (WordPress and most engines); parts by ordered XPath lists."""
    pairs = items_by_id(doc, rule)
    by_el = {id(el): num for num, el in pairs}
    stack: list[tuple[float, str]] = []
    out = []
    for num, el in pairs:
        own = own_copy(el)
        body_el = own
        if rule.get("text_sibling"):  # Thesis dt/dd, Blogger dt/dd: the text is beside
            sib = el.getnext()
            body_el = sib if sib is not None else own
        # `date_on_item`: the date XPaths read the page around the item (a following dd)
        date_el = first(el if rule.get("date_on_item") else own, tuple(rule.get("date", DATE)))
        raw_date = text(date_el) if date_el is not None else None
        attr = None
        if date_el is not None and not isinstance(date_el, str):
            attr = date_el.get("datetime") or date_el.get("title")
        out.append(
            {
                "external_id": num,
                "author": author_of(own, tuple(rule.get("author", AUTHOR))),
                "published_raw": raw_date or None,
                "published_utc": utc_of(attr),
                "parent": threaded_parent(el, rule, by_el, stack, num),
                "text": _body_text(body_el, tuple(rule.get("text", TEXT)), tuple(rule.get("drop", ()))),
            }
        )
    return out


FAMILIES: dict[str, Callable[[Any, dict[str, Any]], list[dict[str, Any]]]] = {
    "ids": family_ids,
}


def displayed_count(doc: Any, rule: dict[str, Any]) -> int | None:
    if "count_value" in rule:  # read off the page by eye where the XPath picks another number
        return int(rule["count_value"]) if rule["count_value"] is not None else None
    xp = rule.get("count")
    if not xp:
        return None
    for hit in doc.xpath(xp, namespaces=RE_NS):
        match = re.search(r"(\d[\d,.]*)", text(hit))
        if match:
            return int(re.sub(r"[,.]", "", match.group(1)))
    return None


def label(name: str, meta: dict[str, Any]) -> dict[str, Any]:
    rule = recipes.rule_for(name)
    doc = load_doc(name)
    comments: list[dict[str, Any]] = []
    if rule.get("family") != "none":
        comments = FAMILIES[rule.get("family", "ids")](doc, rule)
    for c in comments:
        c["text"] = c["text"][:TEXT_CHARS]
    return {
        "name": name,
        "engine": meta["engine"],
        "comment_system": rule.get("comment_system", meta["comment_system"]),
        "comment_count_displayed": displayed_count(doc, rule),
        "comments": comments,
    }


def provenance() -> Iterator[dict[str, Any]]:
    yield from json.loads((ROOT / "provenance.json").read_text(encoding="utf-8"))["pages"]


def main(names: list[str]) -> None:
    (ROOT / "expected").mkdir(exist_ok=True)
    for meta in provenance():
        if names and meta["name"] not in names:
            continue
        result = label(meta["name"], meta)
        path = ROOT / "expected" / f"{meta['name']}.json"
        path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        n = len(result["comments"])
        noauthor = sum(1 for c in result["comments"] if not c["author"])
        notext = sum(1 for c in result["comments"] if not c["text"])
        print(f"{meta['name']:42} {meta['engine']:11} n={n:4} noauthor={noauthor} notext={notext}"
              f" shown={result['comment_count_displayed']}")


if __name__ == "__main__":
    main(sys.argv[1:])
