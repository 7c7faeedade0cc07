"""The shared comment reader on the shapes real themes and plugins render.

Each page is hand-written after the markup of a real theme or plugin (named in each
test); the WordPress fast path finds no comment on any of them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.parsers.wordpress_html import parse_post_page
from tests.parsers.pages import FETCHED, POST_URL, page


def _page(comments: str, *, lang: str = "en-US", stamp: str = "2018-06-01T10:00:00+02:00",
          sidebar: str = "") -> str:
    return f"""<!doctype html><html lang="{lang}"><head><title>Abschiebung</title>
<meta property="article:published_time" content="{stamp}" /></head>
<body class="single postid-42"><article id="post-42" class="post-42 post type-post">
<h1 class="entry-title">Abschiebung</h1><div class="entry-content"><p>Post text.</p></div></article>
<div id="comments" class="comments">{comments}</div>
<div id="respond"><form id="commentform"><textarea id="comment"></textarea></form></div>
<aside id="secondary" class="widget-area">{sidebar}</aside></body></html>"""


def _read(html: str) -> list[tuple[str, str | None, str, str, datetime | None]]:
    parsed = parse_post_page(page(POST_URL, html))
    assert parsed.unread == ()
    return [(c.external_id, c.threaded_parent_external_id, c.author_raw, c.body_text, c.published_at)
            for c in parsed.comments]


def test_twenty_twenty_div_items_german_text_dates_and_says() -> None:
    # Twenty Twenty: div#comment-N.comment, replies in div.children; a German site
    # whose comment dates are text only.
    def item(cid: int, name: str, when: str, text: str, children: str = "") -> str:
        return f"""<div id="comment-{cid}" class="comment even depth-1">
<article id="div-comment-{cid}" class="comment-body"><header class="comment-meta">
<div class="comment-author vcard"><span class="fn">{name}</span><span class="screen-reader-text says">sagt:</span></div>
<div class="comment-metadata"><a href="#comment-{cid}">{when}</a></div></header>
<div class="comment-content entry-content"><p>{text}</p></div>
<footer class="comment-footer-meta"><a rel="nofollow" href="?replytocom={cid}#respond">Antworten</a></footer>
</article>{f'<div class="children">{children}</div>' if children else ""}</div>"""

    html = _page(item(11, "Anna", "19. Juni 2018 um 15:28 Uhr", "Erste",
                      item(12, "Bernd", "20. Juni 2018 um 09:05 Uhr", "Zweite")), lang="de-DE")
    assert _read(html) == [
        ("11", None, "Anna", "Erste", datetime(2018, 6, 19, 13, 28, tzinfo=UTC)),
        ("12", "11", "Bernd", "Zweite", datetime(2018, 6, 20, 7, 5, tzinfo=UTC)),
    ]


def test_li_comment_around_article_in_ul_comments_list_and_role_badge() -> None:
    # Twenty Ten-style callback in a `ul.comments-list` (Genesis children use ul too),
    # the post author marked with a badge.
    html = _page("""<ul class="comments-list">
<li id="li-comment-21" class="comment depth-1"><article id="comment-21">
<div class="comment-author"><cite><a href="https://ann.example/">Ann</a></cite> <span class="badge">Autor</span> dice:</div>
<div class="comment-date"><a href="#comment-21">26 abril 2022 a las 14:02</a></div>
<div class="comment-text"><p>Hola</p></div></article>
<ul class="children"><li id="li-comment-22" class="comment depth-2"><article id="comment-22">
<div class="comment-author"><cite>Luis</cite> dice:</div><div class="comment-date">27 abril 2022 a las 08:00</div>
<div class="comment-text"><p>Adiós</p></div></article></li></ul></li></ul>""", lang="es-ES")
    parsed = parse_post_page(page(POST_URL, html))
    assert [(c.external_id, c.threaded_parent_external_id, c.author_raw, c.author_url, c.body_text)
            for c in parsed.comments] == [
        ("21", None, "Ann", "https://ann.example/", "Hola"), ("22", "21", "Luis", None, "Adiós")]
    assert parsed.comments[0].published_at == datetime(2022, 4, 26, 12, 2, tzinfo=UTC)


def test_thesis_dl_dt_dd() -> None:
    # Thesis 1.x: dl#comment_list, dt.comment#comment-N with the byline, dd.comment the text.
    html = _page("""<dl id="comment_list">
<dt class="comment odd" id="comment-31"><span class="comment_num"><a href="#comment-31">1</a></span>
<strong><a href="http://x.example/" rel="external nofollow">Xavier</a></strong>
<span class="comment_time"><a href="#comment-31">March 7, 2018</a></span></dt>
<dd class="comment odd"><div class="format_text"><p>Thesis text</p></div></dd>
</dl>""", stamp="2018-03-01T08:00:00-05:00")
    assert _read(html) == [("31", None, "Xavier", "Thesis text", datetime(2018, 3, 7, 5, 0, tzinfo=UTC))]


def test_wpdiscuz_ids_parents_and_title_dates() -> None:
    # wpDiscuz 7: div#wpd-comm-ID_PARENT.wpd-comment, the date's title holds the full date.
    def item(cid: int, parent: int, name: str, text: str, replies: str = "") -> str:
        return f"""<div id="wpd-comm-{cid}_{parent}" class="comment wpd-comment wpd_comment_level-1">
<div class="wpd-comment-wrap"><div id="comment-{cid}" class="wpd-comment-right">
<div class="wpd-comment-header"><div class="wpd-comment-author">{name}</div>
<div class="wpd-comment-label" wpd-tooltip="Author"><span>Author</span></div>
<div class="wpd-comment-date" title="March 3, 2021 11:40 am"><i class="far fa-clock"></i> 2 years ago</div></div>
<div class="wpd-comment-text"><p>{text}</p></div></div></div>{replies}</div>"""

    html = _page('<div class="wpd-thread-list">' + item(41, 0, "Mo", "Top", item(42, 41, "Jo", "Re")) + "</div>",
                 stamp="2021-03-01T08:00:00+00:00")
    assert _read(html) == [
        ("41", None, "Mo", "Top", datetime(2021, 3, 3, 11, 40, tzinfo=UTC)),
        ("42", "41", "Jo", "Re", datetime(2021, 3, 3, 11, 40, tzinfo=UTC)),
    ]


def test_flat_list_with_depth_classes_and_widget_copies_ignored() -> None:
    # A flat list (replies after their parent, nesting only in depth-N classes); the
    # sidebar's "top comments" box repeats comment markup.
    def item(cid: int, depth: int, name: str, text: str) -> str:
        return (f'<div id="comment-{cid}" class="comment depth-{depth}"><span class="comment-author">{name}</span>'
                f'<time datetime="2024-05-0{depth}T10:00:00+00:00">May</time><div class="comment-content">{text}</div></div>')

    widget = '<section class="widget top-comments"><div id="comment-51" class="comment"><b class="fn">Copy</b><div class="comment-content">x</div></div></section>'
    html = _page(item(51, 1, "A", "one") + item(52, 2, "B", "two") + item(53, 3, "C", "three")
                 + item(54, 2, "D", "four") + item(55, 1, "E", "five"), sidebar=widget)
    assert [(c[0], c[1], c[2]) for c in _read(html)] == [
        ("51", None, "A"), ("52", "51", "B"), ("53", "52", "C"), ("54", "51", "D"), ("55", None, "E")]


def test_schema_org_microdata_and_relative_dates() -> None:
    html = _page("""<ol class="discussion">
<li itemscope itemtype="https://schema.org/Comment" class="item"><a id="comment-61"></a>
<span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Pat</span></span>
<span class="date">3 days ago</span><div itemprop="text"><p>Micro</p></div></li></ol>""")
    parsed = parse_post_page(page(POST_URL, html))
    (c,) = parsed.comments
    assert (c.external_id, c.author_raw, c.body_text) == ("61", "Pat", "Micro")
    assert (c.published_raw, c.published_at, c.published_approximate) == (
        "3 days ago", datetime(2025, 12, 29, tzinfo=UTC), True)
    assert FETCHED == datetime(2026, 1, 1, tzinfo=UTC)


def test_json_ld_comments_when_the_markup_has_none() -> None:
    ld = """<script type="application/ld+json">{"@context": "https://schema.org", "@type": "BlogPosting",
"comment": [{"@type": "Comment", "@id": "#comment-71", "author": {"@type": "Person", "name": "Lee"},
"dateCreated": "2020-04-14T15:00:00+02:00", "text": "From JSON-LD",
"comment": [{"@type": "Comment", "@id": "#comment-72", "author": {"name": "Kim"}, "text": "Reply"}]}]}</script>"""
    html = _page("").replace("</head>", ld + "</head>")
    assert _read(html) == [
        ("71", None, "Lee", "From JSON-LD", datetime(2020, 4, 14, 13, 0, tzinfo=UTC)),
        ("72", "71", "Kim", "Reply", None),
    ]


def test_an_unknown_item_shape_is_unread_not_anonymous() -> None:
    html = _page('<div id="comment-81" class="comment"><img class="avatar" src="x"/><span class="when">May 3</span></div>')
    parsed = parse_post_page(page(POST_URL, html))
    assert parsed.comments == ()
    assert [(u.external_id, u.missing) for u in parsed.unread] == [("81", ("author", "text"))]


def test_the_fingerprint_covers_comments_the_shared_reader_reads() -> None:
    from crawler.parsers.wordpress_html import fingerprint_only

    def html(text: str) -> str:
        return _page(f'<div id="comment-91" class="comment"><span class="fn">Ann</span>'
                     f'<div class="comment-content">{text}</div></div>')

    before, after = page(POST_URL, html("first")), page(POST_URL, html("edited"))
    assert fingerprint_only(before) == parse_post_page(before).fingerprint
    assert fingerprint_only(before) != fingerprint_only(after)
    assert [c.body_text for c in parse_post_page(after).comments] == ["edited"]



def test_drupal_anchors_indented_replies_unverified_names_and_dates_beside_the_byline() -> None:
    # Drupal 6/7: <a id="comment-N"></a> before div.comment, replies in div.indented,
    # "(not verified)" after an anonymous name, the date and byline in one line.
    def item(cid: int, name: str, when: str, text: str) -> str:
        return (f'<a id="comment-{cid}"></a><div class="comment comment-published">'
                f'<h3 class="title">A subject</h3><div class="submitted">{when} — '
                f'<span class="username">{name} (not verified)</span></div>'
                f'<div class="content"><p>{text}</p></div>'
                f'<ul class="links"><li><a href="/comment/reply/7/{cid}">reply</a></li></ul></div>')

    html = _page(item(101, "Jeff", "Fri, 2012-11-09 18:05", "Top")
                 + '<div class="indented">' + item(102, "Shobhan", "Fri, 2012-11-09 19:10", "Re") + "</div>",
                 stamp="2012-11-01T10:00:00+00:00").replace('<body class="single postid-42">', '<body class="sidebars">')
    assert _read(html) == [
        ("101", None, "Jeff", "Top", datetime(2012, 11, 9, 18, 5, tzinfo=UTC)),
        ("102", "101", "Shobhan", "Re", datetime(2012, 11, 9, 19, 10, tzinfo=UTC)),
    ]


def test_blogger_dl_comments_inside_its_main_widget() -> None:
    # Blogger's classic template: dt.comment-author#cID, dd.comment-body, in "widget Blog".
    html = _page("""<div class="widget Blog" id="Blog1"><dl id="comments-block">
<dt class="comment-author" id="c2459385259936454492"><a name="c2459385259936454492"></a>
<a href="http://www.blogger.com/profile/1" rel="nofollow">martinealison</a> said...</dt>
<dd class="comment-body"><p>Bonjour</p></dd>
<dd class="comment-footer"><span class="comment-timestamp"><a href="#c2459385259936454492">3 mars 2010 13:00</a></span></dd>
</dl></div>""", lang="fr")
    (c,) = parse_post_page(page(POST_URL, html)).comments
    assert (c.external_id, c.author_raw, c.author_url, c.body_text) == (
        "2459385259936454492", "martinealison", "http://www.blogger.com/profile/1", "Bonjour")


def test_a_name_before_a_russian_says() -> None:
    html = _page('<li id="comment-9267" class="comment"><div class="comment-meta">Andrew пишет: Март 2018</div>'
                 '<div class="comment-text"><p>Привет</p></div></li>', lang="ru-RU")
    assert [(c[0], c[2], c[3]) for c in _read(html)] == [("9267", "Andrew", "Привет")]


def test_a_list_of_replies_after_the_parents_own_box() -> None:
    # 4pda-style: li > div#comment-N (the comment) + ul (its replies).
    def item(cid: int, name: str, replies: str = "") -> str:
        return (f'<li><div id="comment-{cid}"><a class="nickname" href="/u/{cid}">{name}</a>'
                f'<p class="content">text {cid}</p></div>{replies}</li>')

    html = _page('<ul class="comment-list level-1">' + item(1, "A", '<ul class="comment-list level-2">'
                 + item(2, "B") + item(3, "C") + "</ul>") + item(4, "D") + "</ul>")
    assert [(c[0], c[1]) for c in _read(html)] == [("1", None), ("2", "1"), ("3", "1"), ("4", None)]


def test_author_boxes_that_also_hold_the_date_or_reply_link() -> None:
    # p.comment-author > cite + small.comment-time (a Russian Themify theme);
    # div.comment-author > p.comment-url + p.comment-date + p.comment-reply (skepchick);
    # cite.comment-author "Name <span>12 days ago</span>".
    html = _page(
        '<ul class="commentlist">'
        '<li id="comment-1" class="comment"><p class="comment-author"><img class="avatar" src="/a.png">'
        ' <cite>Andrew пишет:</cite><br><small class="comment-time">Март 2018</small></p>'
        '<div class="commententry"><p>Один</p></div></li>'
        '<li id="comment-2" class="comment"><div class="comment-author"><p class="comment-url">nomaduk</p>'
        '<p class="comment-date"><a href="#comment-2">10.29.2012</a></p>'
        '<p class="comment-reply"><a href="/login/">Log in to Reply</a></p></div>'
        '<div class="comment-text"><p>Two</p></div></li>'
        '<li id="comment-3" class="comment"><div class="comment-content"><cite class="comment-author">'
        'Miles Taylor <span>12 days ago</span></cite><div class="comment-text"><p>Three</p></div></div></li>'
        '</ul>', lang="ru-RU")
    assert [(c[0], c[2]) for c in _read(html)] == [("1", "Andrew"), ("2", "nomaduk"), ("3", "Miles Taylor")]


def test_bylines_running_into_their_dates_and_comment_numbers() -> None:
    # "Comment by Dawn — January 7, 2008 @ 8:48 pm" in a cite; wordpress.com's "4.  bob -
    # <a>date</a>" dt; "<span class=comment-no>#2</span> Sander"; a name in the meta box's h3;
    # "Posted by tj on November 5, 2012 at 7:56 am" under the text.
    html = _page(
        '<ol class="commentlist">'
        '<li id="comment-1"><p>One</p><p><cite>Comment by Dawn &#8212; January 7, 2008 @ '
        '<a href="#comment-1">8:48 pm</a></cite></p></li>'
        '<li id="comment-2"><img class="comment-author-image" src="/a.png"><span class="comment-no">#2</span>'
        ' Sander Aarts <br><a href="#comment-2">September 19th, 2012 at 19:33</a>'
        '<div class="comment-text"><p>Two</p></div></li>'
        '<li id="comment-3" class="comment"><div class="commentmetadata"><h3>Observer</h3>'
        '<ul><li class="commentdate">November 6th, 2012</li></ul></div>'
        '<div class="commenttext"><p>Three</p></div></li>'
        '<li id="comment-4"><div id="c4"><div class="comment-author vcard"><img class="avatar" src="/a.png"></div>'
        '<div class="comment-body"><p>Four</p></div><p class="citation">Posted by tj on November 5, 2012 at 7:56 am'
        ' | <a href="#comment-4">permalink</a></p></div></li>'
        '</ol>')
    parsed = parse_post_page(page(POST_URL, html))
    assert [(c.external_id, c.author_raw) for c in parsed.comments] == [
        ("1", "Dawn"), ("2", "Sander Aarts"), ("3", "Observer"), ("4", "tj")]
    assert parsed.comments[3].published_raw == "November 5, 2012 at 7:56 am"
    html = _page('<dl class="commentlist"><dt id="comment-5" class="comment depth-1">4. bob mcnabs cat -'
                 ' <a href="#comment-5">12 December, 2011</a></dt><dd class="comment"><div class="comment"'
                 ' id="div-comment-5"><p>Five</p></div></dd></dl>')
    assert [(c[0], c[2]) for c in _read(html)] == [("5", "bob mcnabs cat")]


def test_genesis_layout_wrapper_and_the_disqus_plugins_fallback() -> None:
    # Genesis: the comments sit in div#content-sidebar-wrap (a layout, not a sidebar).
    # The Disqus plugin's noscript fallback: an empty div#comment-N, then li#dsq-comment-N.
    html = _page(
        '<div id="content-sidebar-wrap"><ul id="dsq-comments"><div id="comment-7"></div>'
        '<li id="dsq-comment-7"><div class="dsq-comment-header"><cite><span>Di Analyst</span></cite></div>'
        '<div class="dsq-comment-body"><div class="dsq-comment-message"><p>Seven</p></div></div></li>'
        '</ul></div>')
    assert [(c[0], c[2], c[3]) for c in _read(html)] == [("7", "Di Analyst", "Seven")]
