/* frontmatter: an article or page file split into its YAML front matter and its
 * Markdown body (keeping line numbers), and the front matter checked against the
 * schema of its kind and turned into json. */
#ifndef GONGBAO_FRONTMATTER_H
#define GONGBAO_FRONTMATTER_H

#include "diag.h"
#include "yaml.h"

#include <jansson.h>
#include <stddef.h>

/* Most bytes of one tag: it becomes a folder name (at most 255 bytes). */
#define FRONTMATTER_TAG_MAX 200

/* Checks that text is valid UTF-8 without NUL bytes or control characters other than TAB,
 * LF and CR; reports the first bad byte's line:col. Returns 0 or -1. */
int frontmatter_check_utf8(const char *path, const char *text, size_t len, struct diag *d) WUR;

/* Splits text (no BOM) at the "---" lines. On success *meta is the parsed front matter
 * (caller frees with ynode_free), *body_off the body's byte offset and *body_line its
 * first line (1-based). Returns 0 or -1 after reporting. */
int frontmatter_split(const char *path, const char *text, size_t len, struct ynode **meta,
                      size_t *body_off, int *body_line, struct diag *d) WUR;

/* Validates an article's front matter against the schema (required title and date,
 * known keys, types, dates, topics defined in cfg) and returns a new json object with
 * title, date, date_epoch, date_offset, [updated...], topics (slugs), tags, summary,
 * source, author, region, slug, slug_line, slug_col, draft, image, image_alt, datasets,
 * corrections [{date, date_epoch, date_offset, note}]. NULL after reporting every problem.
 * Caller decrefs. */
json_t *frontmatter_article(const struct ynode *meta, const char *path, json_t *cfg,
                            struct diag *d);

/* The same for a standalone page: title (required), summary, slug, draft, updated. */
json_t *frontmatter_page(const struct ynode *meta, const char *path, json_t *cfg, struct diag *d);

#endif
