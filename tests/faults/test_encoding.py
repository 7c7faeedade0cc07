"""Decoding bodies whose charset is mislabelled, missing, or given by a BOM."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from crawler.encoding import BOM, MISLABELLED, UNDECLARED, decode_body, normalize_page
from crawler.page import Page

NAME = "Zoë “quoted” café – naïve"
HTML = "<html><head>{meta}</head><body><p>{text}</p></body></html>"


def html(text: str = NAME, meta: str = "") -> str:
    return HTML.format(meta=meta, text=text)


def test_declared_utf8_that_is_utf8() -> None:
    decoded = decode_body(html().encode("utf-8"), {"Content-Type": "text/html; charset=UTF-8"})
    assert NAME in decoded.text
    assert decoded.encoding == "utf-8"
    assert decoded.problem is None


def test_cp1252_served_as_utf8() -> None:
    body = html().encode("cp1252")
    decoded = decode_body(body, {"content-type": "text/html; charset=utf-8"})
    assert NAME in decoded.text
    assert decoded.encoding == "cp1252"
    assert decoded.problem == MISLABELLED


def test_utf8_page_with_one_cp1252_comment() -> None:
    # A UTF-8 page where one pasted comment kept its Windows-1252 smart quotes.
    body = html("Zoë said ").encode("utf-8") + "“hi”".encode("cp1252")
    decoded = decode_body(body, {"content-type": "text/html; charset=utf-8"})
    assert "Zoë said " in decoded.text and "“hi”" in decoded.text
    assert decoded.encoding == "utf-8"
    assert decoded.problem == MISLABELLED


def test_no_charset_anywhere_utf8() -> None:
    decoded = decode_body(html().encode("utf-8"), {"content-type": "text/html"})
    assert NAME in decoded.text
    assert decoded.problem is None


def test_no_charset_anywhere_cp1252() -> None:
    decoded = decode_body(html().encode("cp1252"), {})
    assert NAME in decoded.text
    assert decoded.encoding == "cp1252"
    assert decoded.problem == UNDECLARED


def test_meta_charset_used_when_header_silent() -> None:
    body = html(meta='<meta charset="windows-1252">').encode("cp1252")
    decoded = decode_body(body, {"content-type": "text/html"})
    assert NAME in decoded.text
    assert decoded.problem is None


def test_latin1_label_means_windows_1252() -> None:
    body = html().encode("cp1252")
    decoded = decode_body(body, {"content-type": "text/html; charset=ISO-8859-1"})
    assert NAME in decoded.text


def test_bom_wins_over_header() -> None:
    body = "\ufeff".encode("utf-8") + html().encode("utf-8")
    decoded = decode_body(body, {"content-type": "text/html; charset=iso-8859-1"})
    assert decoded.text.startswith("<html>")
    assert NAME in decoded.text
    assert decoded.problem == BOM


def test_utf16_bom() -> None:
    body = html().encode("utf-16")  # Python writes the BOM
    decoded = decode_body(body, {})
    assert NAME in decoded.text


def test_garbage_bytes_never_raise() -> None:
    decoded = decode_body(bytes(range(256)) * 3, {"content-type": "text/html; charset=utf-8"})
    assert isinstance(decoded.text, str)


@given(st.text())
def test_any_utf8_text_survives(text: str) -> None:
    body = text.encode("utf-8")
    decoded = decode_body(body, {"content-type": "text/html; charset=utf-8"})
    # A leading U+FEFF is a BOM on the wire, and a BOM is not content.
    assert decoded.text == text.removeprefix("\ufeff")


@given(st.binary(max_size=300))
def test_any_bytes_decode(body: bytes) -> None:
    assert isinstance(decode_body(body, {}).text, str)


def test_normalize_page_rewrites_body_and_charset() -> None:
    page = Page(
        url="http://127.0.0.1/p/",
        body=html().encode("cp1252"),
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        headers={"content-type": "text/html; charset=UTF-8"},
    )
    fixed, problem = normalize_page(page)  # no encoding decided yet: decided here
    assert problem == MISLABELLED
    assert fixed.encoding == "utf-8"
    assert NAME in fixed.body.decode("utf-8")
    assert fixed.headers["content-type"] == "text/html; charset=utf-8"
    assert fixed.url == page.url and fixed.fetched_at == page.fetched_at


@given(st.binary(max_size=300), st.sampled_from(["", "; charset=utf-8", "; charset=windows-1252"]))
def test_normalized_body_is_the_decoded_text_in_utf8(body: bytes, charset: str) -> None:
    # normalize_page keeps a clean UTF-8 body as it is rather than encoding it again:
    # that shortcut must give the very bytes the re-encoding would.
    headers = {"content-type": "text/html" + charset}
    page = Page(url="http://127.0.0.1/p/", body=body, fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
                headers=headers)
    assert normalize_page(page)[0].body == decode_body(body, headers).text.encode("utf-8")


def test_a_decided_encoding_is_applied_not_decided_again() -> None:
    # The fetch decided cp1252 (and reported the mislabelling then): the page is read so.
    page = Page(url="http://127.0.0.1/p/", body=html().encode("cp1252"),
                fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
                headers={"content-type": "text/html; charset=UTF-8"}, encoding="cp1252")
    fixed, problem = normalize_page(page)
    assert problem is None
    assert NAME in fixed.body.decode("utf-8") and fixed.encoding == "utf-8"


@given(st.binary(max_size=300), st.sampled_from(["", "; charset=utf-8", "; charset=windows-1252",
                                                 "; charset=utf-16"]))
def test_applying_the_decision_reads_what_deciding_read(body: bytes, charset: str) -> None:
    headers = {"content-type": "text/html" + charset}
    decided = decode_body(body, headers)
    page = Page(url="http://127.0.0.1/p/", body=body, fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
                headers=headers, encoding=decided.encoding)
    assert normalize_page(page)[0].body == decided.text.encode("utf-8")


@given(st.text(max_size=300))
def test_normalized_utf8_text_survives(text: str) -> None:
    headers = {"content-type": "text/html; charset=utf-8"}
    page = Page(url="http://127.0.0.1/p/", body=text.encode("utf-8"),
                fetched_at=datetime(2026, 1, 1, tzinfo=UTC), headers=headers)
    assert normalize_page(page)[0].body == decode_body(page.body, headers).text.encode("utf-8")
