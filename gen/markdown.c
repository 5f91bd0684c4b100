/* markdown: cmark and the passes over its tree. */
#include "markdown.h"
#include "escape.h"
#include "utf8.h"

#include <cmark.h>
#include <stdbool.h>
#include <string.h>
#include <utf8proc.h>

#define SUMMARY_MAX    150 /* code points */
#define TOC_MIN        3   /* headings before an article gets a table of contents */
#define HAN_PER_MINUTE 400

/* Ids the theme itself uses on every page: a heading may not take them. */
static const char *const reserved_ids[] = {"main",        "toc",     "top", "related",
                                           "corrections", "content", NULL};

void markdown_result_free(struct md_result *r)
{
        free(r->html);
        free(r->summary);
        free(r->text);
        free(r->links);
        json_decref(r->toc);
        memset(r, 0, sizeof *r);
}

void markdown_heading_id(struct buf *out, const char *text)
{
        const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
        size_t start = out->len;
        int dash = 0;
        utf8proc_int32_t cp;
        utf8proc_ssize_t n;
        while (*p && (n = utf8proc_iterate(p, -1, &cp)) > 0) {
                p += n;
                utf8proc_category_t cat = utf8proc_category(cp);
                int keep = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_ND) ||
                           (cat >= UTF8PROC_CATEGORY_NL && cat <= UTF8PROC_CATEGORY_NO);
                if (!keep) {
                        dash = out->len > start;
                        continue;
                }
                if (dash) {
                        buf_putc(out, '-');
                        dash = 0;
                }
                if (cp < 128)
                        cp = utf8proc_tolower(cp);
                utf8proc_uint8_t enc[4];
                buf_put(out, enc, (size_t)utf8proc_encode_char(cp, enc));
        }
        if (out->len == start)
                buf_puts(out, "section");
}

/* The plain text of a subtree: text and code literals; a soft break between Latin
 * words becomes a space, between Han characters nothing; each block (paragraph,
 * heading, code block) ends with a newline when blocks is set. */
static void text_of(cmark_node *node, struct buf *out, bool blocks)
{
        cmark_iter *it = cmark_iter_new(node);
        cmark_event_type ev;
        while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
                cmark_node *n = cmark_iter_get_node(it);
                cmark_node_type t = cmark_node_get_type(n);
                if (ev == CMARK_EVENT_EXIT) {
                        if (blocks && (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING) &&
                            out->len && out->data[out->len - 1] != '\n')
                                buf_putc(out, '\n');
                        continue;
                }
                switch (t) {
                case CMARK_NODE_TEXT:
                case CMARK_NODE_CODE:
                        buf_puts(out, cmark_node_get_literal(n));
                        break;
                case CMARK_NODE_CODE_BLOCK:
                        buf_puts(out, cmark_node_get_literal(n));
                        if (blocks && out->len && out->data[out->len - 1] != '\n')
                                buf_putc(out, '\n');
                        break;
                case CMARK_NODE_SOFTBREAK:
                case CMARK_NODE_LINEBREAK:
                        if (out->len && (unsigned char)out->data[out->len - 1] < 0x80)
                                buf_putc(out, ' ');
                        break;
                default:
                        break;
                }
        }
        cmark_iter_free(it);
}

static void plain_text(cmark_node *node, struct buf *out)
{
        text_of(node, out, false);
}

/* The line a node starts on, in the file: inlines without a position take their block's. */
static int node_line(cmark_node *n, int body_line)
{
        while (n && cmark_node_get_start_line(n) <= 0)
                n = cmark_node_parent(n);
        return n ? cmark_node_get_start_line(n) + body_line - 1 : body_line;
}

/* The Markdown source and, built on first use, where each of its lines starts: so that
 * turning cmark's byte columns into character columns costs one line, not the file. */
struct source {
        const char *md;
        size_t len;
        size_t *starts; /* offset of each line; NULL until needed */
        size_t nlines;
};

static void index_lines(struct source *src)
{
        size_t cap = 64;
        src->starts = xmalloc(cap * sizeof *src->starts);
        src->starts[0] = 0;
        src->nlines = 1;
        for (size_t i = 0; i < src->len; i++) {
                if (src->md[i] != '\n')
                        continue;
                if (src->nlines == cap) {
                        cap *= 2;
                        src->starts = xrealloc(src->starts, cap * sizeof *src->starts);
                }
                src->starts[src->nlines++] = i + 1;
        }
}

/* The column a node starts at, counted in characters as editors do (cmark counts bytes). */
static int node_col(cmark_node *n, struct source *src)
{
        while (n && cmark_node_get_start_column(n) <= 0)
                n = cmark_node_parent(n);
        if (!n)
                return 1;
        if (!src->starts)
                index_lines(src);
        int line = cmark_node_get_start_line(n), bytes = cmark_node_get_start_column(n);
        if (line < 1 || (size_t)line > src->nlines)
                return bytes;
        size_t at = src->starts[line - 1];
        int col = 1;
        for (int b = 1; b < bytes && at < src->len && src->md[at] != '\n'; b++, at++)
                if (((unsigned char)src->md[at] & 0xC0) != 0x80)
                        col++;
        return col;
}

/* A site-rooted URL ("/articles/x/#h") rewritten against links->root and checked (the
 * site path checked is added to targets, one per line). Returns the new URL (caller
 * frees), or NULL with *why saying what is wrong. */
static char *resolve_rooted(const char *url, const struct md_links *links, struct buf *targets,
                            const char **why)
{
        const char *rest = url + 1;
        size_t plen = strcspn(rest, "?#");
        struct buf target = {0};
        buf_put(&target, rest, plen);
        /* /articles/x and /articles/x/ name the same page */
        if (plen && !strncmp(rest, "articles/", 9) && rest[plen - 1] != '/' &&
            !memchr(rest + 9, '.', plen - 9))
                buf_putc(&target, '/');
        char *result = NULL;
        bool checked = links->known && target.len;
        if (checked && !json_object_get(links->known, buf_cstr(&target))) {
                *why = !strncmp(rest, "articles/", 9) ? "no article has that slug"
                                                      : "no such page or file in the site";
        } else {
                result = xasprintf("%s%s%s", links->root, buf_cstr(&target), rest + plen);
                if (checked && !memchr(target.data, '\n', target.len)) {
                        buf_put(targets, target.data, target.len);
                        buf_putc(targets, '\n');
                }
        }
        buf_free(&target);
        return result;
}

static int is_rooted(const char *url)
{
        return url[0] == '/' && url[1] != '/';
}

/* Rewrites the URL of every link and image; turns images into lazy <img> elements. */
static int pass_links(cmark_node *root, const struct md_links *links, const char *path,
                      int body_line, struct source *src, struct buf *targets, struct diag *d)
{
        int rc = 0;
        cmark_iter *it = cmark_iter_new(root);
        cmark_event_type ev;
        cmark_node **images = NULL;
        size_t nimages = 0;
        while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
                cmark_node *n = cmark_iter_get_node(it);
                cmark_node_type t = cmark_node_get_type(n);
                if (ev != CMARK_EVENT_ENTER || (t != CMARK_NODE_LINK && t != CMARK_NODE_IMAGE))
                        continue;
                const char *url = cmark_node_get_url(n);
                if (url && is_rooted(url)) {
                        const char *why = NULL;
                        char *fixed = resolve_rooted(url, links, targets, &why);
                        if (!fixed) {
                                diag_error(d, path, node_line(n, body_line), node_col(n, src),
                                           "link to %s: %s", url, why);
                                rc = -1;
                        } else
                                cmark_node_set_url(n, fixed);
                        free(fixed);
                }
                if (t == CMARK_NODE_IMAGE) {
                        images = xrealloc(images, (nimages + 1) * sizeof *images);
                        images[nimages++] = n;
                }
        }
        cmark_iter_free(it);
        /* An image may hold another in its description (![a ![b](y)](x)): every <img> is
         * written first, while the tree is whole, then the nodes are replaced from the last
         * one back, so that an inner image is gone before the outer one (which frees it). */
        char **htmls = xcalloc(nimages ? nimages : 1, sizeof *htmls);
        for (size_t i = 0; i < nimages; i++) {
                cmark_node *img = images[i];
                const char *url = cmark_node_get_url(img);
                struct buf html = {0}, alt = {0};
                plain_text(img, &alt);
                if (!url || !escape_url_is_safe(url)) {
                        diag_error(d, path, node_line(img, body_line), node_col(img, src),
                                   "image URL '%s' is not allowed (use http, https or a path)",
                                   url ? url : "");
                        rc = -1;
                }
                buf_puts(&html, "<img src=\"");
                struct buf u = {0};
                escape_url(&u, url ? url : "", url ? strlen(url) : 0);
                escape_html(&html, u.data ? u.data : "", u.len);
                buf_puts(&html, "\" alt=\"");
                escape_html(&html, buf_cstr(&alt), alt.len);
                buf_puts(&html, "\"");
                const char *title = cmark_node_get_title(img);
                if (title && *title) {
                        buf_puts(&html, " title=\"");
                        escape_html(&html, title, strlen(title));
                        buf_puts(&html, "\"");
                }
                buf_puts(&html, " loading=\"lazy\" />");
                htmls[i] = buf_detach(&html);
                buf_free(&alt);
                buf_free(&u);
        }
        for (size_t i = nimages; i-- > 0;) {
                cmark_node *custom = cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
                cmark_node_set_on_enter(custom, htmls[i]);
                cmark_node_replace(images[i], custom);
                cmark_node_free(images[i]);
                free(htmls[i]);
        }
        free(htmls);
        free(images);
        return rc;
}

/* Hands each fenced block to links->fence and puts the HTML it gives in its place. */
static int pass_fences(cmark_node *root, const struct md_links *links, const char *path,
                       int body_line, struct diag *d)
{
        if (!links->fence)
                return 0;
        int rc = 0;
        cmark_node **blocks = NULL;
        size_t nblocks = 0;
        cmark_iter *it = cmark_iter_new(root);
        cmark_event_type ev;
        while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
                cmark_node *n = cmark_iter_get_node(it);
                if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) == CMARK_NODE_CODE_BLOCK &&
                    cmark_node_get_fence_info(n) && *cmark_node_get_fence_info(n)) {
                        blocks = xrealloc(blocks, (nblocks + 1) * sizeof *blocks);
                        blocks[nblocks++] = n;
                }
        }
        cmark_iter_free(it);
        for (size_t i = 0; i < nblocks; i++) {
                cmark_node *n = blocks[i];
                struct buf html = {0};
                /* the content starts on the line after the opening fence */
                int line = node_line(n, body_line) + 1;
                int r = links->fence(links->fence_ctx, cmark_node_get_fence_info(n),
                                     cmark_node_get_literal(n), path, line, &html, d);
                if (r < 0)
                        rc = -1;
                if (r == 0) {
                        cmark_node *custom = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
                        cmark_node_set_on_enter(custom, buf_cstr(&html));
                        cmark_node_replace(n, custom);
                        cmark_node_free(n);
                }
                buf_free(&html);
        }
        free(blocks);
        return rc;
}

/* Gives every heading an id (deduplicated) and collects h2/h3 into toc. */
static void pass_headings(cmark_node *root, json_t *toc, int options)
{
        json_t *used = json_object(), *next = json_object();
        for (const char *const *r = reserved_ids; *r; r++)
                json_object_set_new(used, *r, json_true());
        cmark_node **heads = NULL;
        size_t nheads = 0;
        cmark_iter *it = cmark_iter_new(root);
        cmark_event_type ev;
        while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
                cmark_node *n = cmark_iter_get_node(it);
                if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) == CMARK_NODE_HEADING) {
                        heads = xrealloc(heads, (nheads + 1) * sizeof *heads);
                        heads[nheads++] = n;
                }
        }
        cmark_iter_free(it);
        for (size_t i = 0; i < nheads; i++) {
                cmark_node *h = heads[i];
                int level = cmark_node_get_heading_level(h);
                struct buf text = {0}, id = {0}, html = {0};
                plain_text(h, &text);
                markdown_heading_id(&id, buf_cstr(&text));
                size_t base = id.len;
                /* next[base id] is the first suffix not yet tried for it: the ids taken only
                 * grow, so the search resumes there (20,000 equal headings stay linear) */
                json_t *tried = json_object_get(next, buf_cstr(&id));
                json_int_t k = tried ? json_integer_value(tried) : 1;
                char *key = xstrdup(buf_cstr(&id));
                if (json_object_get(used, buf_cstr(&id))) {
                        do {
                                buf_truncate(&id, base);
                                buf_printf(&id, "-%lld", (long long)k++);
                        } while (json_object_get(used, buf_cstr(&id)));
                        json_object_set_new(next, key, json_integer(k));
                }
                free(key);
                json_object_set_new(used, buf_cstr(&id), json_true());
                /* cmark renders the heading with its inline markup; we add the id. */
                char *inner = cmark_render_html(h, options);
                const char *gt = strchr(inner, '>');
                buf_printf(&html, "<h%d id=\"", level);
                escape_html(&html, buf_cstr(&id), id.len);
                buf_puts(&html, "\"");
                buf_puts(&html, gt ? gt : ">");
                free(inner);
                cmark_node *custom = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
                cmark_node_set_on_enter(custom, buf_cstr(&html));
                cmark_node_replace(h, custom);
                cmark_node_free(h);
                if (level == 2 || level == 3)
                        json_array_append_new(toc,
                                              json_pack("{s:s, s:s, s:i}", "id", buf_cstr(&id),
                                                        "text", buf_cstr(&text), "level", level));
                buf_free(&text);
                buf_free(&id);
                buf_free(&html);
        }
        free(heads);
        json_decref(used);
        json_decref(next);
}

/* Han characters count one each, runs of Latin letters or digits one word each. */
static long count_words(const char *text)
{
        const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
        long han = 0, words = 0;
        int in_word = 0;
        utf8proc_int32_t cp;
        utf8proc_ssize_t n;
        while (*p && (n = utf8proc_iterate(p, -1, &cp)) > 0) {
                p += n;
                if (utf8_is_han(cp)) {
                        han++;
                        in_word = 0;
                } else if (cp < 128 && ((cp | 32) >= 'a' && (cp | 32) <= 'z')) {
                        words += !in_word;
                        in_word = 1;
                } else if (cp < 128 && cp >= '0' && cp <= '9') {
                        words += !in_word;
                        in_word = 1;
                } else
                        in_word = 0;
        }
        return han + words;
}

/* The summary: the first paragraph, whole if short, else cut after the last sentence
 * end (。！？ or . ! ? before a space) within SUMMARY_MAX code points, else cut with "…". */
static char *make_summary(cmark_node *root)
{
        struct buf text = {0};
        for (cmark_node *n = cmark_node_first_child(root); n; n = cmark_node_next(n))
                if (cmark_node_get_type(n) == CMARK_NODE_PARAGRAPH) {
                        plain_text(n, &text);
                        break;
                }
        const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)buf_cstr(&text);
        size_t i = 0, cut = 0, count = 0;
        utf8proc_int32_t cp;
        utf8proc_ssize_t n;
        while (s[i] && (n = utf8proc_iterate(s + i, -1, &cp)) > 0) {
                if (count == SUMMARY_MAX)
                        break;
                i += (size_t)n;
                count++;
                if (cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F)
                        cut = i;
                else if ((cp == '.' || cp == '!' || cp == '?') && (s[i] == ' ' || !s[i]))
                        cut = i;
        }
        if (!s[i])
                return buf_detach(&text);
        char *out;
        if (cut) {
                out = xstrndup((const char *)s, cut);
        } else {
                /* drop the last code point to make room for the ellipsis */
                size_t keep = i;
                if (keep > 0) {
                        keep--;
                        while (keep > 0 && (s[keep] & 0xC0) == 0x80)
                                keep--;
                }
                out = xasprintf("%.*s…", (int)keep, (const char *)s);
        }
        buf_free(&text);
        return out;
}

int markdown_render(const char *path, int body_line, const char *md, size_t len,
                    const struct md_links *links, struct md_result *out, struct diag *d)
{
        const int options = CMARK_OPT_DEFAULT; /* safe: raw HTML and unsafe URLs dropped */
        memset(out, 0, sizeof *out);
        cmark_node *doc = cmark_parse_document(md, len, options);
        int rc = 0;
        struct source src = {md, len, NULL, 0};
        struct buf targets = {0};
        if (pass_links(doc, links, path, body_line, &src, &targets, d) < 0)
                rc = -1;
        out->links = buf_detach(&targets);
        free(src.starts);
        /* the text readers see, before headings and figures become HTML */
        struct buf all = {0};
        text_of(doc, &all, true);
        out->chars = count_words(buf_cstr(&all));
        out->text = buf_detach(&all);
        if (pass_fences(doc, links, path, body_line, d) < 0)
                rc = -1;
        out->toc = json_array();
        pass_headings(doc, out->toc, options);
        if (json_array_size(out->toc) < TOC_MIN)
                json_array_clear(out->toc);
        out->summary = make_summary(doc);
        long han_minutes = (out->chars + HAN_PER_MINUTE - 1) / HAN_PER_MINUTE;
        out->minutes = han_minutes > 0 ? han_minutes : 1;
        out->html = cmark_render_html(doc, options);
        cmark_node_free(doc);
        if (rc < 0)
                markdown_result_free(out);
        return rc;
}
