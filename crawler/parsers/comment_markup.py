"""What the shared comment reader recognises in real themes' markup, compiled once, each with why.

Learned from themes and plugins seen in the wild (Twenty Ten to Twenty Twenty-Four,
Genesis, GeneratePress, Avada, Thesis, wordpress.com and VIP themes, wpDiscuz, Blogger,
Drupal), not from our test site's two themes alone. `crawler.parsers.comment_reader`
applies them; the WordPress fast path (`wordpress_selectors`) is tried first.
"""

from __future__ import annotations

import re

# --- comment items ------------------------------------------------------------------

# Elements that can be one comment: classic `li`, `div` (Twenty Twenty, style=div),
# `article` (li#li-comment-N > article#comment-N), Thesis's `dl/dt`, Drupal's `section`.
ITEM_TAGS = ("li", "div", "article", "dt", "section")
# Ids that name a comment: WordPress `comment-N`, `li-comment-N`, `div-comment-N`, some
# themes `comment_N`/`commentN`; JComments (Joomla) `comment-item-N`; TypePad
# `comment-6a…` (its hex asset ids); wpDiscuz `wpd-comm-N_PARENT`; Blogger `cN` (its
# long ids).
ITEM_ID = re.compile(
    r"^(?:li-|div-)?comment[-_]?(?:item-)?(\d+|6a[0-9a-f]{30,40})$|^wpd-comm-(\d+)_(\d+)$|^c(\d{6,})$"
)
# Themes and plugins that keep the id only in a class (`comment-id-N`, `comment-N`) or a
# data- attribute.
CLASS_ID = re.compile(r"(?:^|\s)comment-(?:id-)?(\d+)(?:\s|$)")
DATA_IDS = ("data-comment-id", "data-commentid", "data-comment_id", "data-comment")
# Replies' parents where the markup does not nest them: plugin data attributes, and the
# classic walker's `depth-N` class on a flat list.
DATA_PARENTS = ("data-parent", "data-parent-id", "data-parentid", "data-reply-to")
DEPTH_CLASS = re.compile(r"(?:^|\s)depth-(\d+)(?:\s|$)")
# A comment's permalink, whose text many themes make the date: `#comment-N`, Blogger's `#cN`.
PERMALINK = re.compile(r"#comment|#c\d{6,}$")
REPLYTOCOM = re.compile(r"[?&]replytocom=(\d+)")
REPLY_TO_FRAGMENT = re.compile(r"#comment-(\d+)$")
# schema.org microdata: itemtype ending in /Comment (http or https, with or without www).
COMMENT_ITEMTYPE = re.compile(r"schema\.org/(?:User)?Comments?$")
# Where markup that looks like comments is not the thread: widgets and sidebars
# (recent comments, "top comments" boxes), the comment form. Class and id tokens,
# matched as substrings of each token.
NOT_THREAD = ("widget", "sidebar", "recentcomments", "recent-comments", "top-comments",
              "popular-comments", "latest-comments", "respond", "commentform")
# ...but a layout wrapper that names the sidebar beside the content is no sidebar
# (Genesis `content-sidebar-wrap`, `sidebar-content`).
LAYOUT_TOKEN = re.compile(r"^(?:.*content.*sidebar|.*sidebar.*content)")
# ...and Blogger's main column is a widget too: "widget Blog" holds the post and its thread.
MAIN_WIDGET = re.compile(r"(?:^|\s)Blog(?:\s|$)")
# Pingbacks and trackbacks share the list but are not discussion (as on the fast path).
PING_CLASSES = frozenset(("pingback", "trackback"))

# --- the parts of one comment -------------------------------------------------------

# The author's name, most specific first: microdata, vcard `fn`, plugins' author boxes,
# then the theme's author box (`.comment-author`, which also holds avatar and "says").
AUTHOR_CLASSES = (
    frozenset(("fn", "comment-author-name", "wpd-comment-author", "commenter-name",
               "comment-author-link", "author-name", "comment_author", "commentauthor",
               "username", "user-name", "tcm-comment-author", "epoch-comment-author",
               "comment__author", "c-author", "amp-wp-comment-author")),
    frozenset(("comment-author", "author", "commenter", "comment-author-vcard", "user")),
)
# Boxes whose first strong, b or link, else leading text, is the name when nothing above
# matched; headings of the item's own (`h4`Name <span>On Friday…</span>`) likewise.
META_CLASSES = frozenset(("comment-meta", "comment-header", "comment-info", "commentmetadata",
                          "comment-details", "byline", "wpd-comment-header", "comment-head",
                          "commeta", "cm-meta", "comment_meta", "comment-by", "comment_by",
                          "comment-info-top", "commentinfo", "comment-meta-data", "citation",
                          "comment-byline", "commentby", "postmetadata", "cmtinfo",
                          # Blogger's classic templates ("By Ann, at 3:09 PM"), Drupal 6's
                          # byline ("Fri, 2012-11-09 17:18 — <a>Ann</a>")
                          "comment-data", "comment-poster", "submitted",
                          "comment-footer",  # TypePad: "Posted by: Ann | <a>date</a>"
                          "signature",  # Squarespace: "October 24, 2012 | <a>Chris</a>"
                          "posted"))  # Movable Type: "Posted by jenn | <a>date</a>"
HEADINGS = frozenset(("h2", "h3", "h4", "h5", "h6"))
# Between a name and the date in a line of text: "Heather on October 23rd", "Ann — May 3".
NAME_SEPARATOR = re.compile(
    r"\s+(?:on|am|le|el|il|says|said|wrote|sagt|schreibt|dice|dit|écrit|scrive|pisze|пишет|написал)\s*:?\s+"
    r"|\s*[—–|•·]\s*|\s+-\s+|\s*,\s*(?:at|on|am|um|le|el)(?:\s+|$)",
    re.IGNORECASE,
)
# What a name taken from a box's first words never is: a number ("#1"), a date or time.
NOT_A_NAME = re.compile(
    r"^\W*\d+\W*$|\b\d{1,2}[:/.]\d{2}\b|\b(?:19|20)\d{2}\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    r"\b\d+\s+(?:second|minute|hour|day|week|month|year)s?\s+ago\b|"
    # a link of the comment's own tools, not a name
    r"^(?:reply|permalink|link|edit|delete|quote|report|flag|like|antworten|responder|répondre|rispondi|ответить)$",
    re.IGNORECASE,
)
# A byline's lead that hands over to the name in the next element: "By <a>Ann</a>",
# "Fri, 2012-11-09 17:18 — <a>Ann</a>" (a word of "by", or a separator, at its end).
INTO_NAME = re.compile(r"(?:[—–|•·-]|\b(?i:by)|\bvon|\bpar|\bpor|\bdi|\bdoor|\bav)\s*:?\s*$")
# A bracketed remainder at the end of a byline: "TonyZ (6 days ago)".
BRACKETED_END = re.compile(r"\s*\(([^()]+)\)\s*$")
# A comment's number before its byline ("4.  bob - 12 December, 2011", "#12 Ann").
COMMENT_NUMBER = re.compile(r"^\s*#?\d+[.):]?\s+")
# Inside the author box, not the name: "says:", screen-reader text, role badges ("Autor",
# "Post author"), avatars.
AUTHOR_CHROME = ("says", "screen-reader-text", "reply", "badge", "role", "label", "wpd-comment-label",
                 "comment-author-label", "post-author", "avatar", "wpdiscuz-")
SAYS = re.compile(
    r"\s*(?:says|said|wrote|sagt|schreibt|schrieb|meint|dice|dijo|escribe|escribió|dit|a dit|écrit|"
    r"disse|scrive|zegt|schreef|pisze|napisał|skriver|siger|kirjoitti|пишет|написал|написала)"
    r"\s*(?::|\.{2,3}|…)?\s*$",  # "Ann says:", Blogger's "Ann said..."
    re.IGNORECASE,
)
# The English "by" in any case; the one-word prefixes of other languages only in lower
# case, as bylines write them ("par Jean"), not names ("Di Analyst", "Von Miller").
BY_PREFIX = re.compile(
    r"^\s*(?:(?i:(?:posted|written|comment|submitted)\s+by|geschrieben von|publicado por|by)"
    r"|par|von|por|di|door|av)\s*:?\s+"
)
ROLE_SUFFIX = re.compile(
    r"\s*[(\[]?\b(?:post author|author|autor|autora|auteur|autore|admin|administrator|"
    r"moderator|moderador|modérateur|not verified|nicht überprüft|no verificado)\b[)\]]?\s*$",
    re.IGNORECASE,
)
# The date, most specific first; a `title` attribute on these often holds the full date
# while the text says "2 years ago" (wpDiscuz, Thrive).
DATE_CLASSES = (
    frozenset(("comment-date", "comment-time", "wpd-comment-date", "comment_date",
               "commentdate", "comment-date-link", "comment_time", "tcm-comment-date", "published",
               "comment-timestamp", "comment__date", "comment__time", "datetime", "date", "time",
               "amp-wp-comment-date",
               "submitted")),
    # The classic walker's date line, then wider boxes that also hold the byline.
    frozenset(("comment-metadata", "commentmetadata")),
    frozenset(("comment-meta", "comment-info", "comment-header", "comment-details")),
)
# Between a date and the byline or links in one box.
DATE_PARTS = re.compile(r"\s*[—–|•·]\s*|\s+-\s+")
DATE_ITEMPROPS = frozenset(("datePublished", "dateCreated", "commentTime", "dateModified"))
# The text: microdata `text`, the themes' and plugins' content boxes; `comment-body` last
# (the html5 walker's wrapper of everything, the older walker's text box).
TEXT_CLASSES = (
    frozenset(("comment-content", "comment-text", "wpd-comment-text", "comment-entry",
               "commenttext", "comment_text", "comment-body-text", "tcm-comment-content",
               "epoch-comment-content", "comment__content", "c-body", "field-name-comment-body",
               "field--name-comment-body", "comment-message", "comtext", "comment_entry",
               "commentbody", "comment-copy", "comment_content", "comment-inner-text",
               "dsq-comment-message", "amp-wp-comment-content", "comment__message")),
    frozenset(("entry-content", "content", "text", "comment-body", "entry", "comright")),
)
# Drupal's comment body field, inside `comment__content`/`content` beside the comment's
# subject heading (a field of its own, by default the body's first words: not the text).
BODY_FIELDS = frozenset(("field-name-comment-body", "field--name-comment-body"))
# Drupal's RDF stamps: `property="dc:date dc:created"` (7), `schema:dateCreated` (8+).
RDF_CREATED = re.compile(r"\b(?:dc:created|schema:dateCreated)\b")
# Inside a text box that is also the wrapper: what is not the text.
TEXT_CHROME = ("comment-author", "meta", "reply", "vcard", "comdate",
               "comment-awaiting-moderation", "comment-header", "comment-footer", "links",
               "comment-actions", "wpd-comment-footer", "wpd-comment-header", "avatar")
# JSON-LD: a `Comment` node and its fields.
JSON_LD = "application/ld+json"
