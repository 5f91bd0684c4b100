/* import: a plain-text newspaper page turned into Markdown drafts.
 *
 * A page holds several articles run together, with the layout's debris: headlines,
 * kickers and column labels, bylines (□ 本报记者 赵晨熙), datelines (新华社北京12月2日电,
 * 本报讯（记者 …）), captions and photo credits, paragraphs repeated by the layout and
 * sentences broken across lines. import_parse splits the page into articles, takes author,
 * source, place and date from the bylines and datelines, joins broken sentences, drops
 * repeats and debris (captions become `> ` notes), and says what it changed and what it
 * was unsure of. import_file does that for one file and writes each article as a draft
 * (draft: true) without ever overwriting a file, with a report beside the drafts. */
#ifndef GONGBAO_IMPORT_H
#define GONGBAO_IMPORT_H

#include "buf.h"
#include "diag.h"

#include <jansson.h>
#include <stdio.h>

#define IMPORT_MAX_BYTES (16L << 20) /* size of one page */

/* What `gen import` was told. Zero-initialise, then set what is known. */
struct import_opts {
        const char *into;   /* folder for the drafts; NULL: "content/articles/imported" */
        const char *source; /* --source: the paper the page comes from (本报), or NULL */
        const char *date;   /* --date: the page's date, "YYYY-MM-DD" or RFC 3339, or NULL */
        int tz_offset;      /* minutes east of UTC for dates without a zone; 0 means +08:00 */
        FILE *out;          /* one line per file written and a summary, or NULL */
};

/* Reads path, splits it and writes every article as <into>/<stem>-<n>.md (the next free
 * name when one exists) plus <stem>.report.txt. Refuses the whole page, writing nothing,
 * when an article has no date (give --date). Returns 0, or -1 after reporting to d. */
int import_file(const char *path, const struct import_opts *opts, struct diag *d) WUR;

/* Splits a page (text[0..len), UTF-8) into articles. stem names the page in slugs
 * ("page-1", ...: lowercase ASCII letters, digits and '-'; "import" when stem has none)
 * and path in messages. Returns a new object
 *   {articles: [{title, date (RFC 3339), source?, author?, region?, tags [..], slug,
 *                first_line, last_line, body (Markdown), changed [..], unsure [..]}],
 *    dropped: [..] (page-level report lines), report (the whole report as text)}
 * or NULL after reporting (invalid UTF-8, no date for an article). Caller decrefs. */
json_t *import_parse(const char *path, const char *stem, const char *text, size_t len,
                     const struct import_opts *opts, struct diag *d);

/* The draft file for one article of import_parse: front matter (title, date, source,
 * author, region, tags, slug, draft: true) and body. Caller frees with free(). */
char *import_draft(json_t *article);

/* Reads one line of layout text as a byline, dateline, source line or photo credit.
 * Returns NULL when it is none of these, else a new object
 *   {kind: "byline" | "dateline" | "lead" | "source" | "photo",
 *    authors [names], source?, place?, year?, month?, day?, rest?}
 * where "lead" is a dateline that starts a paragraph (rest: the paragraph after it).
 * names_only: also accept a line of nothing but names ("邱德帅 尚龙") as a byline.
 * Caller decrefs. */
json_t *import_credit(const char *line, int names_only);

/* How a paragraph ends: 2 at the end of a sentence (。！？… or a closing bracket after
 * one), 1 at a pause that may end a paragraph (；：—— and closing quotes), 0 mid-sentence
 * (a character, a digit, ，、 or an opening bracket). */
int import_end_kind(const char *para);

#endif
