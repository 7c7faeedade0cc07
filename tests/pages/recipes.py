"""Page-by-page XPath recipes for the labeller, checked by eye against each page.

`DEFAULTS` gives each engine's family; `RECIPES[name]` overrides it for one page: item ids
(`id_re`, `tags`, `class_has`), author/date/text XPaths tried in order (string
expressions such as `substring-before(...)` where the value shares an element with
others), what to `drop` from the text, how replies show (`parent`, `depth`, `flat`),
`text_sibling` for dt/dd layouts, and the displayed count (`count`, or `count_value`
read off the page by eye).
"""

from __future__ import annotations

from typing import Any

WP_COUNT = ("(//*[@id='comments' or contains(@class,'comments-title') or @id='comments-title'"
            " or contains(@class,'comment-count')][re:test(., '\\d+ *(Comments?|Responses?|Replies|Thoughts?)', 'i')])[1]")

DEFAULTS: dict[str, dict[str, Any]] = {
    "wordpress": {"family": "ids", "count": WP_COUNT},
    "blogger": {"family": "ids", "id_re": r"^c\d+$",
                "count": "(//*[@id='comments']//h4[re:test(., '\\d+\\s+comments?:', 'i')])[1]",
                # threaded template (2011+): a reply's li.comment sits in its parent's li
                "parent": "string(ancestor::li[contains(@class,'comment')][2]"
                          "/div[contains(@class,'comment-block')]/@id)"},
    "drupal": {"family": "ids", "id_re": r"^comment-\d+$", "tags": ("a",),
               # replies sit in a div.indented after their parent
               "depth": "count(ancestor::div[contains(concat(' ',@class,' '),' indented ')])"},
    "typepad": {"family": "ids", "id_re": r"^comment-6a[0-9a-f]+$", "flat": True,
                "author": ("substring-before(substring-after(normalize-space(.//*[contains(@class,'comment-footer')]),'Posted by: '),' |')",),
                "date": ("substring-after(normalize-space(.//*[contains(@class,'comment-footer')]),'| ')",),
                "text": (".//*[contains(@class,'comment-content')]",)},
    "movabletype": {"family": "ids"},
    "joomla": {"family": "ids"},
    "squarespace": {"family": "ids", "id_re": r"^comment\d+$"},
    "generic": {"family": "ids"},
}

THESIS_DL = {"text_sibling": True, "text": ("./div[contains(@class,'format_text')]", "."),
             "drop": (".//p[@class='reply']", ".//dl[contains(@class,'children')]"),
             # a reply's dt sits in a dl.children inside its parent's dd
             "parent": "string(ancestor::dd[1]/preceding-sibling::dt[1]/@id)",
             "author": (".//*[contains(@class,'comment_author')]",),
             "date": (".//*[contains(@class,'comment_time')]", ".//*[contains(@class,'comment_num')]/following::a[1]")}
BLOGGER_DL = {"text_sibling": True, "text": (".",), "date_on_item": True, "flat": True,
              "author": ("substring-before(concat(normalize-space(string(.)),' said'),' said')",),
              "date": ("following-sibling::dd[contains(@class,'comment-footer')][1]",
                       "following-sibling::dd[contains(@class,'comment-timestamp')][1]/a")}

ZEROHEDGE = {"author": (".//div[@class='non_toggle_label']/b",),
             "date": ("substring-before(normalize-space(.//span[@class='scomments_info']),' |')",),
             "text": (".//*[@class='comment-content']",)}
ANDROIDCENTRAL = {"author": (".//p[@class='user']/a",), "date": (".//li[@class='time']/span/a",),
                  "text": (".//*[@class='comment-body']",)}

BLOGGER_CLASSIC = {"flat": True,
                   "author": ("substring-before(substring-after(normalize-space(.//*[@class='comment-data']),'By '),', at')",),
                   "date": (".//*[@class='comment-data']/a[@title='comment permalink']",),
                   "text": (".//*[@class='comment-body']",)}

MULTI = {"author": (".//div[@class='comment-text']/h4/a", "normalize-space(.//div[@class='comment-text']/h4/text()[1])"),
         "date": (".//div[@class='comment-text']/h4/span",), "text": (".//div[@class='comment-text']/p",)}

NEWSTATESMAN = {  # "Fri, 2012-11-09 17:18 — Name (not verified)": the badge is not the name
    "author": (("substring-before(concat(normalize-space(substring-after(.//*[@class='submitted'],"
               "'— ')),' (not verified)'),' (not verified)')"),),
    "date": ("substring-before(normalize-space(.//*[@class='submitted']),' —')",),
    "text": ("./div[@class='clear-block']/p",)}

RECIPES: dict[str, dict[str, Any]] = {
    # "Posted by NAME on DATE | permalink | Reply" under the text (p.citation)
    "wordpress-dragnet-R262": {"author": ("substring-before(substring-after(normalize-space(.//p[@class='citation']),'Posted by '),' on ')",),
                               "date": ("substring-before(substring-after(normalize-space(.//p[@class='citation']),' on '),' |')",)},
    # "Posted by NAME | Report as abusive" under the text
    "wordpress-dragnet-T31": {"author": ("substring-after(normalize-space(.//*[@class='commentsAuthor']),'Posted by ')",)},
    "wordpress-dragnet-R14": {"author": ("substring-before(normalize-space(./text()[normalize-space()][1]),' on ')",
                                         ".//a[contains(@class,'url')]", "./span[1]"),
                              "date": ("substring-after(concat(' ',normalize-space(./text()[normalize-space()][last()])),' on ')",),
                              "text": (".//*[@class='commenttext']",)},
    "wordpress-dragnet-102": {"author": (".//p[@class='comment-meta']/a[contains(@class,'url')]",
                                         "substring-before(substring-after(normalize-space(.//p[@class='comment-meta']),'by '),' on ')"),
                              "date": ("substring-before(substring-after(normalize-space(.//p[@class='comment-meta']),' on '),'. ')",),
                              "text": (".//*[@class='comment-body']/p[not(@class)]",)},
    "wordpress-dragnet-T8": {"author": (".//*[@class='comment-text']/p[1]/a[contains(@href,'#comment')]",),
                             "date": (".//*[@class='comment-text']/p[1]/span",),
                             "text": (".//*[@class='comment-text']/p[position()>1]",)},
    "wordpress-dragnet-R898": {"author": (".//*[@class='comment-name']",),
                               "date": (".//*[contains(@class,'comment-date')]",)},
    "drupal-dragnet-R698": NEWSTATESMAN,
    "joomla-dragnet-R105": {"id_re": r"^pc_\d+$",
                            "author": ("substring-before(substring-after(normalize-space(.//span[@class='small']),'written by '),',')",),
                            "date": ("substring-after(substring-after(normalize-space(.//span[@class='small']),'written by '),', ')",),
                            "text": (".//*[@class='comment-text']",)},
    "joomla-dragnet-T157": {"id_re": r"^comment-item-\d+$"},
    "movabletype-dragnet-R271": {
        "author": ("substring-before(substring-after(normalize-space(.//p[@class='posted']),'Posted by '),' |')",),
        "date": (".//p[@class='posted']/a",)},
    "wordpress-dragnet-T93": {"id_re": r"^dsq-comment-\d+$", "tags": ("li",), "comment_system": "disqus",
                              "author": (".//cite",), "date": ("''",),
                              "text": (".//*[contains(@class,'dsq-comment-message')]",)},
    "wordpress-dragnet-R459": {"date": (("concat(normalize-space(.//li[@class='commentdate']),' ',"
                                        "normalize-space(.//li[@class='commenttime']))"),)},
    "wordpress-dragnet-R278": {"date": ("substring-after(normalize-space(.//h4),'on ')",)},
    "wordpress-dragnet-T132": {"date": ("./p[1]",), "text": ("./p[position()>2]",)},
    "wordpress-dragnet-T65": {"date": ("substring-after(normalize-space(.//small),'Posted on ')",)},
    "wordpress-dragnet-R904": {"date": (".//*[@class='commentmetadata']/small/a",)},
    "wordpress-blogskipper-dataworld": {"date": (".//small[@class='comment-time']",),
                                        "text": (".//*[@class='commententry']",)},
    "generic-blogskipper-4pda": {"id_re": r"^comment-\d+$", "author": (".//a[@class='nickname']",),
                                 "date": ("normalize-space(.//span[@class='h-meta']/text()[1])",),
                                 "text": ("./p[@class='content']",),
                                 "parent": "string(../parent::ul[contains(@class,'comment-list')]/preceding-sibling::div[starts-with(@id,'comment-')][1]/@id)"},
    "disqus-blogskipper-disqus": {"id_re": r"^post-\d+$", "tags": ("li",), "author": (".//*[contains(@class,'author')]",),
                                  "date": (".//a[contains(@class,'time-ago')]",), "text": (".//*[contains(@class,'post-message')]",)},
    "generic-blogskipper-news": {"id_re": r"^\d+$", "tags": ("tr",), "class_has": "comtr", "author": (".//a[@class='hnuser']",),
                                 "date": (".//span[@class='age']/a",), "text": (".//div[@class='comment']",),
                                 "drop": (".//div[@class='reply']",),
                                 "depth": "number(.//td[@class='ind']/img/@width) div 40"},
    "generic-blogskipper-habrahabr": {"id_re": r"^comment_\d+$", "author": (".//*[contains(@class,'user-info__nickname')]",),
                                      "date": (".//time",), "text": (".//*[contains(@class,'comment__message')]",),
                                      "parent": "string(../span[@class='parent_id']/@data-parent_id[. != '0'])"},
    "wordpress-dragnet-R536": {"author": (".//span[@class='user']",), "text": (".//div[@class='comment_text']",)},
    "wordpress-dragnet-R634": {"author": (".//div[@class='commentby']/cite/a[contains(@class,'url')]",),
                               "date": ("substring-after(normalize-space(.//div[@class='commentby']/cite),'— ')",),
                               "text": ("./p",)},
    "wordpress-dragnet-R156": {"date": ("./p[@class='small']",), "text": ("./p[not(@class)]",)},
    "wordpress-dragnet-R297": MULTI, "wordpress-dragnet-R246": MULTI,
    # A reply's li sits in the ul.children after its parent's div.comment-container.
    "wordpress-dragnet-R317": {"text": (".//div[@class='comment-entry']/p",),
                               "parent": "string(ancestor::ul[@class='children'][1]/preceding-sibling::div[contains(@class,'comment-container')][1]//div[@class='comment-entry']/@id)"},
    "wordpress-dragnet-210": {"date": ("substring-before(concat(normalize-space(.//span[@class='date']),' /'),' /')",)},
    "wordpress-dragnet-T40": {"date": ("normalize-space(.//p[@class='commentmetadata']/text()[1])",)},
    "wordpress-dragnet-R110": {"date": (".//div[@class='cmtinfo']/em/a",)},
    "wordpress-dragnet-271": {"text": (".//span[starts-with(@id,'t_')]",)},
    "wordpress-dragnet-R726": {"date": ("substring-before(normalize-space(.//div[@class='comment-meta']),', |')",)},
    "wordpress-dragnet-T33": {"date": ("normalize-space(.//div[contains(@class,'commentmetadata')]/text()[normalize-space()][last()])",)},
    "wordpress-dragnet-R381": {"date": ("substring-after(normalize-space(.//a[@class='comment_permalink']),'On ')",)},
    "wordpress-dragnet-R601": {"text": (".//div[@class='comment-text']",)},
    "wordpress-dragnet-R24": {"date": ("substring-after(normalize-space(.//div[@class='cmtinfo']/em),'on ')",)},
    "wordpress-dragnet-R318": {"date": ("substring-before(substring-after(normalize-space(.//div[@class='comment-meta']),'Posted '),' |')",)},
    "wordpress-dragnet-R875": {"text": (".//div[@class='comment-text']/p",)},
    "wordpress-pagesignal-0acd5213-35e1": {
        "author": ("substring-before(substring-after(normalize-space(.//cite),'Comment by '),' —')",),
        "date": ("substring-after(normalize-space(.//cite),'— ')",), "text": ("./p[not(cite)]",)},
    "wordpress-dragnet-T154": {"author": ("normalize-space(.//cite[@class='comment-author']/text()[normalize-space()][1])",
                                          ".//cite[@class='comment-author']/a"),
                               "date": (".//cite[@class='comment-author']/span",), "text": (".//div[@class='comment-text']",)},
    "wordpress-dragnet-R273": {"author": (".//div[contains(@class,'comment-author')]/a[1]",), "date": ("substring-after(normalize-space(.//div[contains(@class,'comment-author')]/a[2]),'Posted at ')",)},
    "wordpress-dragnet-R150": {"date": (("substring-before(substring-after(normalize-space(.//p[@class='info']),'On '),"
                                        "concat(', ',normalize-space(.//p[@class='info']/cite)))"),),
                               "text": (".//div[@class='inner']/p[not(@class)]",)},
    "wordpress-dragnet-R852": {"date": ("substring-before(substring-after(normalize-space(.//div[@class='cmtinfo']/em),' on '),' Link')",)},
    "wordpress-dragnet-R118": {"date": ("substring-before(substring-after(normalize-space(.//div[@class='comment-meta']),'Posted '),' |')",)},
    "wordpress-dragnet-R245": {"author": (".//div[@class='comment_author']",), "date": (".//div[@class='comment_date']",),
                               "text": (".//div[@class='comment-body']",)},
    "wordpress-dragnet-R890": {"author": (".//span[@class='author-link']",)},
    "wordpress-dragnet-R112": {"author": (".//p[@class='comment-url']",), "text": (".//div[@class='comment-text']",)},
    "wordpress-dragnet-R287": {"date": (".//span[@class='comment-datetime']",)},
    "wordpress-dragnet-R903": {"count_value": None},
    "wordpress-dragnet-T62": {"date": ("substring-before(normalize-space(.//div[@class='commentFooter']),' |')",)},
    "wordpress-dragnet-T30": {"count_value": 17},
    "movabletype-dragnet-R990": {"date": (".//abbr[@class='published']",)},
    "generic-dragnet-R125": {"author": (".//div[@class='profile']/a",), "date": (".//p[@class='date']",),
                             "text": (".//div[@class='comment-body']",)},
    "generic-dragnet-T127": {"family": "none", "comment_system": "script"},
    "wordpress-dragnet-R816": {"author": (".//a[contains(@class,'url')]",
                                          "substring-before(normalize-space(./text()[normalize-space()][1]),' on ')"),
                               "date": ("substring-after(concat(' ',normalize-space(./text()[normalize-space()][last()])),' on ')",),
                               "text": (".//*[@class='commenttext']",)},
    "wordpress-dragnet-R46": {"author": (("substring-before(concat(normalize-space(./a[not(starts-with(@href,'#'))]),"
                                         "' - author'),' - author')"),  # the post author's badge
                                         "normalize-space(./text()[normalize-space()][1])"),
                              "date": ("./a[starts-with(@href,'#comment')]",), "text": (".//*[@class='comment-text']",)},
    "wordpress-dragnet-R762": {"text_sibling": True, "text": (".",),
                               "author": (".//a[contains(@class,'url')]",
                                          "substring-before(substring-after(normalize-space(.),'. '),' - ')"),
                               "date": ("./a[contains(@href,'#comment-')]",)},
    "wordpress-dragnet-R981": {"author": (".//*[@class='commeta']",), "date": (".//*[@class='comdate']",),
                               "text": (".//*[@class='comtext']",)},
    "wordpress-dragnet-39": {"author": ("substring-before(normalize-space(.//p[@class='cm-meta']),' —')",), "date": (".//*[@class='comment-meta-time']",),
                             "text": (".//*[contains(@class,'comment_entry')]",),
                             "drop": (".//p[@class='cm-meta']", ".//*[contains(@class,'reply')]")},
    "wordpress-dragnet-R980": THESIS_DL, "wordpress-dragnet-R894": THESIS_DL, "wordpress-dragnet-20": THESIS_DL,
    "wordpress-dragnet-T128": {**THESIS_DL, "author": (".//span[@class='comment_author']/a[contains(@class,'url')]",
                                                      ".//span[@class='comment_author']")},
    "wordpress-dragnet-119": THESIS_DL, "wordpress-dragnet-R52": THESIS_DL, "wordpress-dragnet-R932": THESIS_DL,
    "wordpress-dragnet-R464": THESIS_DL,
    "blogger-dragnet-R101": BLOGGER_DL, "blogger-dragnet-R103": BLOGGER_DL, "blogger-dragnet-R213": BLOGGER_DL,
    "blogger-dragnet-R296": BLOGGER_DL, "blogger-dragnet-R402": BLOGGER_DL, "blogger-dragnet-R49": BLOGGER_DL,
    "blogger-dragnet-R59": BLOGGER_DL, "blogger-cleaneval-dev-57": {**BLOGGER_DL, "date_on_item": False,
                                            "author": (".//span[contains(@class,'comment-author')]", "./a[normalize-space()][2]",
                                                       "substring-before(substring-after(normalize-space(.),', '),' said')"),
                                            "date": ("./a[normalize-space()][1]",)}, "blogger-cleaneval-129": BLOGGER_DL,
    "blogger-cleaneval-dev-13": BLOGGER_CLASSIC, "blogger-cleaneval-72": BLOGGER_CLASSIC,
    "drupal-dragnet-T145": ZEROHEDGE, "drupal-dragnet-T21": ZEROHEDGE,
    "drupal-dragnet-R228": {"author": (".//div[@class='commeta']//li[2]",), "date": (".//div[@class='commeta']//li[1]",),
                            "text": (".//*[@class='comcontent']",)},
    "drupal-dragnet-R342": ANDROIDCENTRAL, "drupal-dragnet-R341": ANDROIDCENTRAL,
    "drupal-pagesignal-0cb28c3b-4bc4": {
        "author": ("substring-before(concat(normalize-space(.//*[@class='comment-author']),' ('),' (')",),
        "date": ("substring-before(substring-after(normalize-space(.//*[@class='comment-author']),'('),')')",),
        "text": (".//*[@class='comment-content']",)},
    "drupal-dragnet-R700": NEWSTATESMAN,
    "squarespace-dragnet-R8": {"flat": True, "author": (".//*[@class='signature']/a[last()]",),
                               "date": ("substring-before(normalize-space(.//*[@class='signature']),' |')",),
                               "text": (".//*[contains(@class,'body')]",)},
    "movabletype-dragnet-R836": {"author": (".//*[@class='comment-header']",), "date": (".//*[@class='comment-footer']/a",),
                                 "text": (".//*[@class='comment-content']",)},
}

def rule_for(name: str) -> dict[str, Any]:
    engine = name.split("-", 1)[0]
    return {**DEFAULTS.get(engine, {"family": "ids"}), **RECIPES.get(name, {})}
