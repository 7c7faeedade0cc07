"""The exported tables: their columns, types and meanings, in one place.

Every format writer takes its schema from here, and `codebook.py` writes CODEBOOK.md
from the same text, so a column cannot be exported without being documented.
Kinds: `id` (a database id, exported as text so no tool mangles it into a float),
`text`, `int`, `bool`, `ts` (a UTC timestamp), `list` (a list of strings), `json`
(an object, exported as JSON text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["TABLES", "Column", "Kind", "TableSpec", "table"]

Kind = Literal["id", "text", "int", "bool", "ts", "list", "json"]


@dataclass(frozen=True)
class Column:
    """One exported column: its name, kind and what it means (with caveats)."""

    name: str
    kind: Kind
    meaning: str
    pseudonymized: bool = False  # replaced or blanked by --pseudonymize


@dataclass(frozen=True)
class TableSpec:
    """One exported table: name, what one row is, its sort key and columns."""

    name: str
    row: str
    order: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


_AS_OF = "as of the export's as-of time"
_TS = "UTC; ISO 8601 with microseconds and 'Z' in CSV, JSONL and SQLite, timestamp[us, UTC] in Parquet"

POSTS = TableSpec(
    name="posts",
    row=f"one post whose version valid {_AS_OF} is live (not a deletion tombstone)",
    order="post_id",
    columns=(
        Column("post_id", "id", "The archive's id of the post (stable within one archive)."),
        Column("source_key", "text", "Key of the blog (`source.key` in the archive, from the sources config)."),
        Column("external_id", "text", "The platform's own id of the post, as text (WordPress post ID)."),
        Column("url", "text", "Permalink of the post as first seen."),
        Column("title", "text", "Title of the version valid as of the export.", True),
        Column("author_id", "id", "The archive's id of the author (per source, keyed by the normalized name); empty when the post shows no author."),
        Column("author_name", "text", "The author's name as displayed on this version (raw spelling).", True),
        Column("author_key", "text", "Normalized identity key of the author: NFKC, collapsed whitespace, casefolded. Two spellings with one key are one author.", True),
        Column("published_at", "ts", f"Publication time as the site states it, converted to UTC. {_TS}. Empty when the page gives none."),
        Column("published_raw", "text", "The publication date as the page or API showed it (raw text, kept beside published_at); the only date where the page prints one without a zone it says."),
        Column("modified_at", "ts", "Last-modified time as the site states it, UTC; empty when not given."),
        Column("tags", "list", "Tags of the post, in page order. JSON array text in CSV and SQLite, a list in Parquet and JSONL."),
        Column("categories", "list", "Categories of the post, in page order (same encoding as tags)."),
        Column("comment_count_displayed", "int", "The comment count the site itself displays; may differ from the comments archived (closed, paginated or moderated comments)."),
        Column("comment_count", "int", "Live comments of this post in the export (as of its time)."),
        Column("body_text", "text", "Visible text of the post body, whitespace-normalized.", True),
        Column("body_html", "text", "Raw HTML of the post body as fetched.", True),
        Column("version", "int", "Version number of the post valid as of the export (1 = first state seen)."),
        Column("version_id", "id", "The archive's id of the post version shown (`post_version.id`)."),
        Column("valid_from", "ts", "When this version was first seen (start of the crawl that recorded it)."),
        Column("crawl_id", "id", "The crawl that recorded this version (see crawls)."),
        Column("content_hash", "text", "SHA-256 of the version's content fields; equal hashes mean equal content."),
        Column("first_seen_at", "ts", "When the archive first saw the post."),
        Column("last_seen_at", "ts", "When the archive last saw it, if that was at or before the as-of time; empty when it was seen again later (the archive keeps only the latest sighting). Caveat: the one column that a later export as of the same time may fill differently."),
    ),
)

COMMENTS = TableSpec(
    name="comments",
    row=f"one comment whose version valid {_AS_OF} is live, on a post in `posts`",
    order="post_id, position, comment_id (thread order)",
    columns=(
        Column("comment_id", "id", "The archive's id of the comment."),
        Column("post_id", "id", "The post the comment belongs to (see posts)."),
        Column("post_external_id", "text", "The platform's id of that post."),
        Column("source_key", "text", "Key of the blog."),
        Column("external_id", "text", "The platform's id of the comment as text: WordPress `#comment-25` is `25`."),
        Column("author_id", "id", "The archive's id of the comment's author; empty when anonymous."),
        Column("author_name", "text", "The commenter's name as displayed on this version (raw spelling).", True),
        Column("author_key", "text", "Normalized identity key of the commenter (see posts.author_key).", True),
        Column("author_url", "text", "The commenter's own website link, when given. Empty in a pseudonymized export.", True),
        Column("published_at", "ts", "Comment time as the site states it, UTC; empty when not given."),
        Column("published_raw", "text", "The comment's date as the page or API showed it (raw text, kept beside published_at); the only date where the page prints one without a zone it says."),
        Column("published_approximate", "bool", "True when published_at was resolved from a relative date (\"3 days ago\") against the fetch time: exact only to the unit the site rounds to."),
        Column("edited", "bool", "Whether the comment service marks the comment edited (Disqus `isEdited`, Discourse `version` > 1, Ghost and Substack `edited_at` set), as of this version; empty where it says nothing (WordPress, Blogger, Drupal, HTML pages). Not content: a stated edit alone writes no version."),
        Column("edited_at", "ts", "When the service says the comment was edited, UTC (Ghost, Substack); empty where it gives no time."),
        Column("threaded_parent_external_id", "text", "The comment this one is nested under, as the site's markup or REST API says; empty for top-level comments and on flat (unthreaded) blogs."),
        Column("parent_external_id", "text", "The comment this one answers: the threaded parent where the platform nests replies, else the target of its first leading @-reply, else empty. Caveat: an @-reply that names nobody in the thread stays unresolved (empty here; see replies.raw_name)."),
        Column("position", "int", "Place in thread order (0-based), as the site lists comments."),
        Column("page", "int", "Comment page the comment was seen on (1-based); empty when the thread is not paginated."),
        Column("body_text", "text", "All visible text of the comment, quotes and @-prefixes included.", True),
        Column("own_text", "text", "The comment's own words: blockquotes and leading `@Name:` prefixes removed.", True),
        Column("body_html", "text", "Raw HTML of the comment body as fetched.", True),
        Column("version", "int", "Version number valid as of the export (1 = first state seen)."),
        Column("version_id", "id", "The archive's id of the comment version shown (`comment_version.id`)."),
        Column("valid_from", "ts", "When this version was first seen."),
        Column("crawl_id", "id", "The crawl that recorded this version."),
        Column("content_hash", "text", "SHA-256 of the version's content fields."),
        Column("first_seen_at", "ts", "When the archive first saw the comment."),
        Column("last_seen_at", "ts", "When the archive last saw it, if that was at or before the as-of time; empty when it was seen again later (the archive keeps only the latest sighting). Caveat: the one column that a later export as of the same time may fill differently."),
    ),
)

REPLIES = TableSpec(
    name="replies",
    row="one edge from a comment (its version in `comments`) to what it answers or mentions",
    order="post_id, position, comment_id, ordinal",
    columns=(
        Column("comment_id", "id", "The answering comment (see comments)."),
        Column("post_id", "id", "Its post."),
        Column("external_id", "text", "The answering comment's platform id."),
        Column("version_id", "id", "The comment version the edge belongs to (see comments.version_id)."),
        Column("ordinal", "int", "Order of the edge within the comment, from 0."),
        Column("kind", "text", "`threaded` (nesting or REST parent), `at_reply` (a leading @Name) or `mention` (an @Name later in the text)."),
        Column("raw_name", "text", "The name as written after '@'; empty for threaded edges. Pseudonymized like author names.", True),
        Column("target_kind", "text", "`comment`, `post`, or empty when the name could not be resolved to anyone in the thread."),
        Column("target_external_id", "text", "Platform id of the target comment (or of the post); empty when unresolved."),
        Column("resolved_by", "text", "How the target was found: `markup` (nesting/REST parent), `link` (a #comment-N link), `name` (matched an earlier commenter's name), or empty when unresolved. Caveat: `name` picks the nearest earlier comment by that name and can be wrong when two people share a name."),
    ),
)

QUOTES = TableSpec(
    name="quotes",
    row="one blockquote in a comment (its version in `comments`)",
    order="post_id, position, comment_id, ordinal",
    columns=(
        Column("comment_id", "id", "The quoting comment."),
        Column("post_id", "id", "Its post."),
        Column("external_id", "text", "The quoting comment's platform id."),
        Column("version_id", "id", "The comment version the quote belongs to."),
        Column("ordinal", "int", "Order of the blockquote within the comment, from 0."),
        Column("quoted_text", "text", "Text of the blockquote.", True),
        Column("source_kind", "text", "What it quotes: `post`, `comment` (an earlier comment in the thread), `external` (outside text) or `unknown` (no match found)."),
        Column("source_external_id", "text", "Platform id of the quoted post or comment; empty for external and unknown."),
        Column("source_url", "text", "The cited URL of an external quote, when the markup gives one."),
    ),
)

AUTHORS = TableSpec(
    name="authors",
    row="one author (per source) who wrote a version of a post or comment in the export's scope up to its as-of time",
    order="author_id",
    columns=(
        Column("author_id", "id", "The archive's id of the author."),
        Column("source_key", "text", "Key of the blog; an author is per source."),
        Column("author_key", "text", "Normalized identity key (NFKC, collapsed whitespace, casefolded).", True),
        Column("name", "text", "The first spelling of the name the archive saw (stable as the archive grows).", True),
        Column("aliases", "list", "Every raw spelling seen up to the as-of time, sorted.", True),
        Column("post_count", "int", "Live posts by this author in `posts`."),
        Column("comment_count", "int", "Live comments by this author in `comments`."),
        Column("first_seen_at", "ts", "When the archive first saw this author."),
    ),
)

VERSIONS = TableSpec(
    name="versions",
    row="one version (a distinct state) of a post or comment in scope, recorded up to the as-of time, deletions included",
    order="post versions by (post_id, version), then comment versions by (post_id, comment_id, version)",
    columns=(
        Column("kind", "text", "`post` or `comment`."),
        Column("version_id", "id", "The archive's id of the version row."),
        Column("source_key", "text", "Key of the blog."),
        Column("post_id", "id", "The post (for a comment: its post)."),
        Column("post_external_id", "text", "Platform id of that post."),
        Column("comment_id", "id", "The comment; empty for post versions."),
        Column("external_id", "text", "Platform id of the post or comment."),
        Column("version", "int", "Version number, from 1, growing by 1."),
        Column("valid_from", "ts", "When this state was first seen."),
        Column("valid_to", "ts", "When the next state replaced it; empty if it was still current at the as-of time (a later change is not shown)."),
        Column("crawl_id", "id", "The crawl that recorded this version."),
        Column("deleted", "bool", "True for a tombstone: the item vanished from a thread fetched completely, or (comments) the comment service stated it removed (see removed_as). A partial fetch never infers a tombstone from absence."),
        Column("removed_as", "text", "Comments, on a tombstone: the comment service's own word for the removal (`deleted`, `hidden`, `spam`, `flagged`, `user_deleted`; docs/schema.md says per platform what each means); empty for a tombstone inferred from absence, for live versions and for posts."),
        Column("edited", "bool", "Comments: whether the service marked the comment edited in this state (see comments.edited); empty where it says nothing."),
        Column("edited_at", "ts", "Comments: when the service says it was edited, UTC; empty where it gives no time."),
        Column("content_hash", "text", "SHA-256 of the content fields."),
        Column("author_id", "id", "Author of this state."),
        Column("author_name", "text", "Author's name as displayed in this state.", True),
        Column("author_key", "text", "Normalized identity key of that author.", True),
        Column("author_url", "text", "Comments: the commenter's website link in this state. Empty in a pseudonymized export.", True),
        Column("title", "text", "Post title (empty for comments).", True),
        Column("published_at", "ts", "Publication time stated by the site, UTC."),
        Column("published_raw", "text", "The date as the page or API showed it in this state (raw text)."),
        Column("published_approximate", "bool", "Comments: published_at was resolved from a relative date against the fetch time."),
        Column("modified_at", "ts", "Posts: last-modified time stated by the site, UTC."),
        Column("tags", "list", "Posts: tags in this state (encoded as posts.tags)."),
        Column("categories", "list", "Posts: categories in this state."),
        Column("comment_count_displayed", "int", "Posts: the comment count the site displayed in this state."),
        Column("position", "int", "Comments: place in thread order in this state (0-based)."),
        Column("page", "int", "Comments: comment page it was seen on in this state."),
        Column("threaded_parent_external_id", "text", "Comments: the nesting parent in this state (see comments)."),
        Column("parent_external_id", "text", "Comments: the comment this state answers (see comments.parent_external_id)."),
        Column("body_text", "text", "Visible text of this state.", True),
        Column("own_text", "text", "Comments: own words of this state (see comments.own_text).", True),
        Column("body_html", "text", "Raw HTML of this state.", True),
    ),
)

CRAWLS = TableSpec(
    name="crawls",
    row="one crawl run of a source in scope that started by the as-of time",
    order="crawl_id",
    columns=(
        Column("crawl_id", "id", "The archive's id of the crawl."),
        Column("source_key", "text", "The blog crawled."),
        Column("trigger", "text", "What started it: manual, schedule, reparse, demo or test."),
        Column("status", "text", "running, ok, partial (some threads incomplete), failed or aborted; `running` if it had not finished by the as-of time."),
        Column("started_at", "ts", "Start time, UTC."),
        Column("finished_at", "ts", "End time, UTC; empty if it had not finished by the as-of time."),
        Column("software_version", "text", "palimpsest version that ran the crawl."),
        Column("stats", "json", "Counters of the run (pages, threads, versions written...), as JSON text; empty if unfinished at the as-of time."),
    ),
)

TABLES: tuple[TableSpec, ...] = (POSTS, COMMENTS, AUTHORS, REPLIES, QUOTES, VERSIONS, CRAWLS)


def table(name: str) -> TableSpec:
    """The spec of one exported table by name."""
    for spec in TABLES:
        if spec.name == name:
            return spec
    raise KeyError(name)
