"""Blogger and Drupal comment markup as real templates render it, read by each platform's post-page route.

Each page is hand-written after a shape seen on the corpus pages (tests/pages): Blogger's
classic templates of 2004-2006 ("By Anonymous, at 1:53 PM", "At <a>date</a>, Ann
said..."), its `dl` of `dt` bylines and `dd` texts, its threaded template whose replies
sit in `div.comment-replies` beside the parent; Drupal 6 bylines that run the date into
the name, byline lists, and dates in brackets after the name; and the generic `html`
platform on TypePad, Movable Type, JComments (Joomla) and Squarespace.
"""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.page import Page
from crawler.platforms.blogger import Blogger
from crawler.platforms.drupal import Drupal
from crawler.platforms.html import GenericHtml
from crawler.platforms.page_route import PageRoute

FETCHED = datetime(2013, 1, 1, tzinfo=UTC)
BASE = "http://blog.test/"
POST = "http://blog.test/2012/10/post.html"

Row = tuple[str, str | None, str, str, str | None, datetime | None]


def _read(route: PageRoute, body: str) -> list[Row]:
    thread = route.read(Page(url=POST, body=body.encode(), fetched_at=FETCHED,
                             headers={"content-type": "text/html"}))
    assert thread.unread == ()
    return [(c.external_id, c.threaded_parent_external_id, c.author_raw, c.body_text, c.published_raw,
             c.published_at) for c in thread.comments]


def _blogger(comments: str) -> list[Row]:
    return _read(Blogger(BASE).pages, f"""<html><head><title>A post</title></head><body>
<div class="post"><h3 class="post-title">A post</h3><div class="post-body">Text.</div></div>
<div id="comments">{comments}</div></body></html>""")


def _drupal(comments: str) -> list[Row]:
    return _read(Drupal(BASE).pages, f"""<html><head><title>A node</title></head><body>
<div id="node-7" class="node"><h2>A node</h2><div class="content">Text.</div></div>
<div id="comments">{comments}</div></body></html>""")


def test_blogger_classic_bylines_after_the_text_with_a_time_and_no_date() -> None:
    # 2005: li#cN > div.comment-body + p.comment-data "By <name>, at <a>time</a>". The
    # page shows only the time: it is kept as shown and placed nowhere.
    rows = _blogger("""<ul>
<li id="c109934239304823775"><a name="c109934239304823775"></a>
<div class="comment-body"><p>Forbidden, says the link.</p></div>
<p class="comment-data">By Anonymous, at <a href="#c109934239304823775" title="comment permalink">1:53 PM</a></p></li>
<li id="c111722094015807951"><a name="c111722094015807951"></a>
<div class="comment-body"><p>This builds on 2002 work.</p></div>
<p class="comment-data">By <a href="http://www.blogger.com/profile/9457212">Kevin Schulman</a>, at
<a href="#c111722094015807951" title="comment permalink">3:09 PM</a></p></li></ul>""")
    assert rows == [
        ("109934239304823775", None, "Anonymous", "Forbidden, says the link.", "1:53 PM", None),
        ("111722094015807951", None, "Kevin Schulman", "This builds on 2002 work.", "3:09 PM", None),
    ]


def test_blogger_dl_bylines_whose_text_and_date_are_the_next_dds() -> None:
    # "At <a>date</a>, Anonymous said..." in a dt.comment-data; a dt.comment-author whose
    # name is the text after the avatar and before "said..."; the date in dd.comment-footer.
    rows = _blogger("""<dl id="comments-block">
<dt class="comment-data" id="c111395608922054770"><a name="c111395608922054770"></a>
  At <a href="#c111395608922054770" title="comment permalink">4/19/2005 07:14:49 PM</a>, Anonymous said...</dt>
<dd class="comment-body"><p>Hey joshua</p></dd>
<dt class="comment-author " id="c5204894133534085202"><a name="c5204894133534085202"></a>
<div class="avatar-image-container avatar-stock"><span dir="ltr"><img src="blank.gif" alt="" title="Anonymous"></span></div>
Anonymous
<span class="comm-num"><a href="http://blog.test/2012/10/post.html?showComment=1349203104212#c5204894133534085202"><script>document.write(1)</script></a></span>
said...</dt>
<dd class="comment-body"><p>So happy to see posts from you</p></dd>
<dd class="comment-footer"><span class="comment-timestamp">
<a href="http://blog.test/2012/10/post.html?showComment=1349203104212#c5204894133534085202">October 2, 2012 2:38 PM</a></span></dd>
</dl>""")
    assert rows == [
        ("111395608922054770", None, "Anonymous", "Hey joshua", "4/19/2005 07:14:49 PM", None),
        # The permalink's stamp places the time the page prints without a zone.
        ("5204894133534085202", None, "Anonymous", "So happy to see posts from you", "October 2, 2012 2:38 PM",
         datetime(2012, 10, 2, 18, 38, 24, 212000, tzinfo=UTC)),
    ]


def test_blogger_threaded_replies_beside_their_parent() -> None:
    # The threaded template: li.comment > div#cN.comment-block, then div.comment-replies
    # holding the replies' own li > div#cM.comment-block.
    def block(cid: str, name: str, text: str, replies: str = "") -> str:
        return f"""<li class="comment"><div class="avatar-image-container"><img src="a.png"></div>
<div id="c{cid}" class="comment-block"><div class="comment-header"><cite class="user"><a href="http://www.blogger.com/profile/1">{name}</a></cite>
<span class="datetime secondary-text"><a href="http://blog.test/2012/10/post.html?showComment=1351531453210#c{cid}">October 29, 2012 1:24 PM</a></span></div>
<p class="comment-content">{text}</p></div>
<div class="comment-replies">{replies}</div></li>"""

    reply = ('<div class="comment-thread inline-thread"><span class="thread-toggle"><a href="javascript:;">Replies</a></span>'
             f'<ol class="thread-chrome"><div>{block("1653002257518260878", "Kelly", "A zip-top bag.")}</div></ol></div>')
    rows = _blogger('<div class="comment-thread"><ol>'
                    + block("4257074436756702155", "Elizabeth", "How do you keep it soft?", reply)
                    + block("1410358351171049073", "Lori", "Looks delicious.") + "</ol></div>")
    assert [(cid, parent, name) for cid, parent, name, *_ in rows] == [
        ("4257074436756702155", None, "Elizabeth"),
        ("1653002257518260878", "4257074436756702155", "Kelly"),
        ("1410358351171049073", None, "Lori"),
    ]


def test_drupal_6_bylines_that_run_the_date_into_the_name() -> None:
    # span.submitted "date — <a>Name</a>" and "date — Name (not verified)".
    def item(cid: int, byline: str, text: str) -> str:
        return f"""<a id="comment-{cid}"></a><div class="comment comment-published odd"><div class="clear-block">
<div class="comment_hdbg"><div class="user-picture"><img src="blank.gif" alt=""></div><h3></h3></div>
<span class="submitted">{byline}</span><p>{text}</p></div></div>"""

    rows = _drupal(item(264780, 'Fri, 2012-11-09 17:18 — <a href="/writers/cc">Caroline Crampton</a>', "Closed now.")
                   + item(264770, "Fri, 2012-11-09 15:30 — Pentangelis (not verified)", "A brave man."))
    assert [(cid, name, text, raw) for cid, _, name, text, raw, _ in rows] == [
        ("264780", "Caroline Crampton", "Closed now.", "Fri, 2012-11-09 17:18 — Caroline Crampton"),
        ("264770", "Pentangelis", "A brave man.", "Fri, 2012-11-09 15:30 — Pentangelis (not verified)"),
    ]


def test_drupal_byline_lists_and_dates_in_brackets_after_the_name() -> None:
    rows = _drupal("""<a id="comment-39279"></a><div class="comment comment-published" id="com-39279">
<h4 class="comtitle">What a great idea!</h4>
<div class="commeta"><ul><li class="first">November 1, 2012</li><li><a href="http://mike.example">Mike T</a></li></ul></div>
<div class="comcontent"><p>What a great idea!</p></div></div>
<a id="comment-43174"></a><div class="comment even"><h4>1: <a href="#comment-43174">Too big.</a></h4>
<div class="comment-content"><p>The Mac Pro is too big.</p></div>
<span class="comment-author">TonyZ  (6 days ago)</span></div>""")
    assert rows == [
        ("39279", None, "Mike T", "What a great idea!", "November 1, 2012", None),  # no zone on the page
        ("43174", None, "TonyZ", "The Mac Pro is too big.", "6 days ago", datetime(2012, 12, 26, tzinfo=UTC)),
    ]


def _generic(comments: str) -> list[Row]:
    return _read(GenericHtml(BASE).pages, f"""<html><head><title>A post</title></head><body>
<div class="entry"><h1>A post</h1><p>Text.</p></div><div id="comments">{comments}</div></body></html>""")


def test_typepad_movable_type_jcomments_and_squarespace_bylines() -> None:
    rows = _generic("""
<a id="c6a00d83451b64669e2017d3d0fea34970c"></a>
<div class="comment comment-odd" id="comment-6a00d83451b64669e2017d3d0fea34970c">
<div class="comment-content"><span><p>What is school for?</p></span></div>
<p class="comment-footer">Posted by: <a href="http://ask.example/">Askthequestion</a> |
<a href="http://blog.test/2012/10/post.html?cid=6a00d83451b64669e2017d3d0fea34970c#comment-6a00d83451b64669e2017d3d0fea34970c">October 29, 2012 at 01:40 AM</a></p></div>
<div class="comment" id="comment-979764"><div class="comment-inner"><div class="comment-header"></div>
<div class="comment-content"><p>My village in ruins.</p></div>
<p class="posted">Posted by jenn | <a href="#comment-979764">November 6, 2012 1:04 PM</a></p></div></div>
<div class="odd" id="comment-item-3"><div class="comment-box usertype-guest">
<a class="comment-anchor" href="/solar#comment-3" id="comment-3">#1</a>
<span class="comment-author">munya</span><span class="comment-date">2011-06-02 13:28</span>
<div class="comment-body" id="comment-body-3">i need a solar system</div></div></div>
<div class="comment-wrapper"><div class="comment" id="comment19155317"><div id="item19155317" class="body"><p>Hey, I just watched the talk.</p></div>
<div class="signature">October 24, 2012 | <a href="/contributor/20458437"><img alt="Unregistered Commenter" src="t.png"/>Chris</a></div></div></div>""")
    assert [(cid, name, text, raw) for cid, _, name, text, raw, _ in rows] == [
        ("6a00d83451b64669e2017d3d0fea34970c", "Askthequestion", "What is school for?", "October 29, 2012 at 01:40 AM"),
        ("979764", "jenn", "My village in ruins.", "November 6, 2012 1:04 PM"),
        ("3", "munya", "i need a solar system", "2011-06-02 13:28"),
        ("19155317", "Chris", "Hey, I just watched the talk.", "October 24, 2012"),
    ]
