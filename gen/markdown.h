/* markdown: CommonMark through cmark (never CMARK_OPT_UNSAFE: raw HTML is dropped),
 * with the portal's passes over the tree: heading ids that keep Chinese characters,
 * a table of contents, site-rooted links made relative (or absolute for feeds) and
 * checked, lazy images, the plain-text summary and the reading time. */
#ifndef GONGBAO_MARKDOWN_H
#define GONGBAO_MARKDOWN_H

#include "buf.h"
#include "diag.h"

#include <jansson.h>

/* Turns a fenced code block whose info string the portal owns ("chart", "table") into
 * HTML. text is the block's content, line its first line in path. Returns 0 with the HTML
 * appended to html, 1 to leave the block as code, or -1 after reporting to d. */
typedef int (*md_fence_fn)(void *ctx, const char *info, const char *text, const char *path,
                           int line, struct buf *html, struct diag *d);

/* How one rendering resolves links that start with "/" (site-rooted), and who draws the
 * portal's fenced blocks. */
struct md_links {
        const char *root;  /* prefix that replaces the leading "/": "../../" or an absolute
                              base URL ending in "/" */
        json_t *known;     /* object whose keys are the site paths that exist ("articles/x/",
                              "media/a.png"); NULL: do not check */
        md_fence_fn fence; /* NULL: every fenced block stays code */
        void *fence_ctx;   /* passed to fence */
};

/* What one rendering gives. Free with markdown_result_free. */
struct md_result {
        char *html;    /* the body */
        json_t *toc;   /* [{id, text, level}] for h2 and h3 */
        char *summary; /* the first paragraph as plain text, cut at a sentence end */
        long chars;    /* Han characters plus Latin words: the reading-time count */
        long minutes;  /* reading time, at least 1 */
        char *text;    /* the whole text, one line per paragraph or heading (for search) */
        char *links;   /* the site paths checked against md_links.known, one per line */
};

/* Renders md (len bytes; body_line is its first line in path, for messages).
 * Returns 0, or -1 after reporting (a site-rooted link to a page that does not exist,
 * an unsafe image URL, ...). */
int markdown_render(const char *path, int body_line, const char *md, size_t len,
                    const struct md_links *links, struct md_result *out, struct diag *d) WUR;
void markdown_result_free(struct md_result *r);

/* Appends the Unicode-preserving id for a heading's text ("2024年 医保基金" ->
 * "2024年-医保基金"): letters and digits of any script kept, ASCII lowercased, runs of
 * space and punctuation folded into one '-'. "section" when nothing is left. */
void markdown_heading_id(struct buf *out, const char *text);

#endif
