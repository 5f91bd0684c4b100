/* frontmatter: splitting and schema checks. */
#include "frontmatter.h"
#include "buf.h"
#include "config.h"
#include "date.h"
#include "escape.h"

#include <string.h>
#include <utf8proc.h>

/* The length of the UTF-8 sequence at p[0..left) that utf8proc_iterate accepts (no
 * overlong form, no surrogate, nothing above U+10FFFF), or 0. p[0] is not ASCII. */
static size_t sequence_len(const unsigned char *p, size_t left)
{
        unsigned c = p[0];
        if (c < 0xC2 || c > 0xF4)
                return 0;
        size_t n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (left < n)
                return 0;
        for (size_t k = 1; k < n; k++)
                if ((p[k] & 0xC0) != 0x80)
                        return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F) ||
            (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
                return 0;
        return n;
}

/* The check below without positions, a few times faster: true when text is clean. On
 * false the careful scan runs to say where (so it alone decides what is reported). */
static bool clean_utf8(const unsigned char *p, size_t len)
{
        size_t i = 0;
        while (i < len) {
                unsigned c = p[i];
                if (c < 0x80) {
                        if (c < 0x20 ? c != '\t' && c != '\n' && c != '\r' : c == 0x7F)
                                return false;
                        i++;
                        continue;
                }
                /* the three-byte characters (CJK among them) without a call: the checks
                 * for overlong forms and surrogates need only the top ten bits */
                if ((c & 0xF0) == 0xE0 && len - i >= 3 && (p[i + 1] & 0xC0) == 0x80 &&
                    (p[i + 2] & 0xC0) == 0x80) {
                        unsigned top = (c & 0x0F) << 12 | (p[i + 1] & 0x3F) << 6;
                        if (top < 0x800 || (top >= 0xD800 && top <= 0xDFFF))
                                return false;
                        i += 3;
                        continue;
                }
                size_t n = sequence_len(p + i, len - i);
                if (!n)
                        return false;
                i += n;
        }
        return true;
}

int frontmatter_check_utf8(const char *path, const char *text, size_t len, struct diag *d)
{
        if (clean_utf8((const unsigned char *)text, len))
                return 0;
        const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
        size_t i = 0;
        int line = 1, col = 1;
        while (i < len) {
                utf8proc_int32_t cp;
                utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
                if (n < 0) {
                        diag_error(d, path, line, col, "invalid UTF-8 (byte 0x%02X)", p[i]);
                        return -1;
                }
                if (cp == 0) {
                        diag_error(d, path, line, col, "NUL byte in text");
                        return -1;
                }
                /* pages are XML-clean too: no C0 control but TAB, LF and CR, no DEL */
                if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F) {
                        diag_error(d, path, line, col, "control character U+%04X in text", cp);
                        return -1;
                }
                if (cp == '\n') {
                        line++;
                        col = 1;
                } else
                        col++;
                i += (size_t)n;
        }
        return 0;
}

/* Returns the length of the line at p (up to and including its newline). */
static size_t line_len(const char *p, const char *end)
{
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        return nl ? (size_t)(nl - p + 1) : (size_t)(end - p);
}

/* True when the line is exactly "---" (or "..." when closing), with an optional CR. */
static int is_fence(const char *p, size_t n, int closing)
{
        while (n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
                n--;
        return n == 3 && (!memcmp(p, "---", 3) || (closing && !memcmp(p, "...", 3)));
}

int frontmatter_split(const char *path, const char *text, size_t len, struct ynode **meta,
                      size_t *body_off, int *body_line, struct diag *d)
{
        const char *end = text + len, *p = text;
        *meta = NULL;
        size_t n = line_len(p, end);
        if (!is_fence(p, n, 0)) {
                diag_error(d, path, 1, 1,
                           "missing front matter: the file must start with a '---' line, then "
                           "title and date, then '---'");
                return -1;
        }
        p += n;
        const char *yaml_start = p;
        int line = 2;
        while (p < end) {
                n = line_len(p, end);
                if (is_fence(p, n, 1)) {
                        *meta = yaml_load(yaml_start, (size_t)(p - yaml_start), path, 1, d);
                        if (!*meta)
                                return -1;
                        if ((*meta)->kind != YNODE_MAPPING) {
                                diag_error(d, path, (*meta)->line, (*meta)->col,
                                           "front matter must be a mapping of keys");
                                ynode_free(*meta);
                                *meta = NULL;
                                return -1;
                        }
                        *body_off = (size_t)(p + n - text);
                        *body_line = line + 1;
                        return 0;
                }
                p += n;
                line++;
        }
        diag_error(d, path, 1, 1, "front matter is not closed: add a '---' line after it");
        return -1;
}

/* Optional string key -> obj. Returns -1 on a wrong type. */
static int take_string(const struct ynode *meta, const char *key, json_t *obj, const char *path,
                       struct diag *d)
{
        const struct ynode *n = ynode_get(meta, key);
        const char *s;
        if (!n)
                return 0;
        if (ynode_string(n, path, key, d, &s) < 0)
                return -1;
        json_object_set_new(obj, key, json_string(s));
        return 0;
}

enum { KEY_MAX = 32 }; /* room for the keys made by join_key: "datasets_line" and such */

/* Writes key followed by suffix (both short literals of this file) to out (KEY_MAX
 * bytes) and returns out: a key name without a formatted allocation per article. */
static const char *join_key(char *out, const char *key, const char *suffix)
{
        size_t n = strlen(key), m = strlen(suffix);
        out[0] = '\0';
        if (n + m < KEY_MAX) { /* always: the callers' keys are known */
                memcpy(out, key, n);
                memcpy(out + n, suffix, m + 1);
        }
        return out;
}

/* A date key -> key (normalised RFC 3339), key_epoch, key_offset. */
static int take_date(const struct ynode *n, const char *key, json_t *obj, const char *path, int tz,
                     struct diag *d)
{
        const char *s, *why;
        struct gdate g;
        if (ynode_string(n, path, key, d, &s) < 0)
                return -1;
        if (date_parse(s, tz, &g, &why) < 0) {
                diag_error(d, path, n->line, n->col, "%s '%s': %s", key, s, why);
                return -1;
        }
        struct buf b = {0};
        date_rfc3339(&b, &g);
        char k1[KEY_MAX], k2[KEY_MAX];
        json_object_set_new(obj, key, json_string(buf_cstr(&b)));
        json_object_set_new(obj, join_key(k1, key, "_epoch"), json_integer(g.epoch));
        json_object_set_new(obj, join_key(k2, key, "_offset"), json_integer(g.offset));
        buf_free(&b);
        return 0;
}

static int take_topics(const struct ynode *n, json_t *obj, const char *path, json_t *cfg,
                       struct diag *d)
{
        json_t *list = ynode_string_list(n, path, "topics", d);
        if (!list)
                return -1;
        int rc = 0;
        json_t *known = json_object_get(cfg, "topics");
        for (size_t i = 0; i < json_array_size(list); i++) {
                const char *slug = json_string_value(json_array_get(list, i));
                int found = 0;
                for (size_t j = 0; j < json_array_size(known) && !found; j++)
                        found = !strcmp(slug, json_string_value(json_object_get(
                                                  json_array_get(known, j), "slug")));
                if (!found) {
                        const struct ynode *item = n->kids[i];
                        diag_error(d, path, item->line, item->col,
                                   "unknown topic '%s' (define it under topics: in site.yaml)",
                                   slug);
                        rc = -1;
                }
        }
        json_object_set_new(obj, "topics", list);
        return rc;
}

static int take_corrections(const struct ynode *n, json_t *obj, const char *path, int tz,
                            struct diag *d)
{
        static const char *const keys[] = {"date", "note", NULL};
        if (n->kind != YNODE_SEQUENCE) {
                diag_error(d, path, n->line, n->col,
                           "corrections must be a list of {date, note} entries");
                return -1;
        }
        json_t *list = json_array();
        json_object_set_new(obj, "corrections", list);
        int rc = 0;
        for (size_t i = 0; i < n->nkids; i++) {
                const struct ynode *e = n->kids[i];
                const struct ynode *dt = ynode_get(e, "date"), *note = ynode_get(e, "note");
                if (e->kind != YNODE_MAPPING || !dt || !note) {
                        diag_error(d, path, e->line, e->col,
                                   "a correction needs a date and a note");
                        rc = -1;
                        continue;
                }
                json_t *c = json_object();
                if (ynode_check_keys(e, path, keys, d) < 0 ||
                    take_date(dt, "date", c, path, tz, d) < 0 ||
                    take_string(e, "note", c, path, d) < 0)
                        rc = -1;
                json_array_append_new(list, c);
        }
        return rc;
}

static int take_slug(const struct ynode *meta, json_t *obj, const char *path, struct diag *d)
{
        const struct ynode *n = ynode_get(meta, "slug");
        if (!n)
                return 0;
        const char *s;
        if (ynode_string(n, path, "slug", d, &s) < 0)
                return -1;
        if (!config_is_slug(s)) {
                diag_error(d, path, n->line, n->col,
                           "slug '%s' must use lowercase ASCII letters, digits and '-'", s);
                return -1;
        }
        json_object_set_new(obj, "slug", json_string(s));
        json_object_set_new(obj, "slug_line", json_integer(n->line));
        json_object_set_new(obj, "slug_col", json_integer(n->col));
        return 0;
}

static int take_bool(const struct ynode *meta, const char *key, json_t *obj, const char *path,
                     struct diag *d)
{
        const struct ynode *n = ynode_get(meta, key);
        bool v = false;
        if (n && ynode_bool(n, path, key, d, &v) < 0)
                return -1;
        json_object_set_new(obj, key, json_boolean(v));
        return 0;
}

/* aliases: old site-rooted paths ("/2019/old-name.html", "/old/") that should lead to
 * this article; each must be a path the site could write. */
static int take_aliases(const struct ynode *n, json_t *obj, const char *path, struct diag *d)
{
        json_t *list = ynode_string_list(n, path, "aliases", d);
        if (!list)
                return -1;
        int rc = 0;
        for (size_t i = 0; i < json_array_size(list); i++) {
                const char *s = json_string_value(json_array_get(list, i));
                const struct ynode *item = n->kids[i];
                int ok = s[0] == '/' && s[1] && s[1] != '/' && !strstr(s, "/../") &&
                         !strstr(s, "/./") && strcmp(s + strlen(s) - 3, "/..") &&
                         !strpbrk(s, "\\?#\"<>");
                for (const char *p = s; ok && *p; p++)
                        ok = (unsigned char)*p >= 0x20 && *p != 0x7F;
                if (!ok) {
                        diag_error(d, path, item->line, item->col,
                                   "alias '%s' must be a site-rooted path such as /old/path/ "
                                   "or /2019/old.html",
                                   s);
                        rc = -1;
                }
        }
        json_object_set_new(obj, "aliases", list);
        json_object_set_new(obj, "aliases_line", json_integer(n->line));
        return rc;
}

/* title must be present and not blank. */
static int take_title(const struct ynode *meta, json_t *obj, const char *path, struct diag *d)
{
        const struct ynode *n = ynode_get(meta, "title");
        const char *s;
        if (!n) {
                diag_error(d, path, meta->line, meta->col, "missing required key 'title'");
                return -1;
        }
        if (ynode_string(n, path, "title", d, &s) < 0)
                return -1;
        if (!s[strspn(s, " \t")]) {
                diag_error(d, path, n->line, n->col, "title is empty");
                return -1;
        }
        json_object_set_new(obj, "title", json_string(s));
        return 0;
}

/* Each tag names a folder under tags/: it must have a visible character and fit in a
 * file name (NAME_MAX is 255 bytes). Returns 0, or -1 after reporting at the tag. */
static int check_tags(const struct ynode *list, const char *path, struct diag *d)
{
        int rc = 0;
        for (size_t i = 0; i < list->nkids; i++) {
                const struct ynode *t = list->kids[i];
                size_t n = strlen(t->text);
                if (!t->text[strspn(t->text, " \t\r\n")]) {
                        diag_error(d, path, t->line, t->col, "tag is empty");
                        rc = -1;
                } else if (n > FRONTMATTER_TAG_MAX) {
                        diag_error(d, path, t->line, t->col,
                                   "tag is %zu bytes long, at most %d fit a folder name: tags are "
                                   "short labels",
                                   n, FRONTMATTER_TAG_MAX);
                        rc = -1;
                }
        }
        return rc;
}

json_t *frontmatter_article(const struct ynode *meta, const char *path, json_t *cfg, struct diag *d)
{
        static const char *const keys[] = {
            "title",     "date",     "updated",     "topics",  "tags",    "summary",
            "source",    "author",   "region",      "slug",    "draft",   "image",
            "image_alt", "datasets", "corrections", "expires", "aliases", NULL};
        int tz = (int)json_integer_value(json_object_get(cfg, "tz_offset"));
        json_t *a = json_object();
        int rc = ynode_check_keys(meta, path, keys, d);
        if (take_title(meta, a, path, d) < 0)
                rc = -1;
        const struct ynode *n = ynode_get(meta, "date");
        if (!n) {
                diag_error(d, path, meta->line, meta->col,
                           "missing required key 'date' (e.g. date: 2025-01-20T10:00:00+08:00)");
                rc = -1;
        } else if (take_date(n, "date", a, path, tz, d) < 0)
                rc = -1;
        if ((n = ynode_get(meta, "updated")) && take_date(n, "updated", a, path, tz, d) < 0)
                rc = -1;
        if ((n = ynode_get(meta, "expires")) && take_date(n, "expires", a, path, tz, d) < 0)
                rc = -1;
        if ((n = ynode_get(meta, "aliases")) && take_aliases(n, a, path, d) < 0)
                rc = -1;
        if ((n = ynode_get(meta, "topics")) && take_topics(n, a, path, cfg, d) < 0)
                rc = -1;
        static const char *const lists[] = {"tags", "datasets", NULL};
        for (const char *const *k = lists; *k; k++) {
                json_t *list = json_array();
                if ((n = ynode_get(meta, *k))) {
                        json_decref(list);
                        if (!(list = ynode_string_list(n, path, *k, d))) {
                                rc = -1;
                                list = json_array();
                        } else if (!strcmp(*k, "tags") && check_tags(n, path, d) < 0) {
                                rc = -1;
                        }
                        char lk[KEY_MAX], ck[KEY_MAX];
                        json_object_set_new(a, join_key(lk, *k, "_line"), json_integer(n->line));
                        json_object_set_new(a, join_key(ck, *k, "_col"), json_integer(n->col));
                }
                json_object_set_new(a, *k, list);
        }
        if (!json_object_get(a, "topics"))
                json_object_set_new(a, "topics", json_array());
        static const char *const strings[] = {"summary", "source",    "author", "region",
                                              "image",   "image_alt", NULL};
        for (const char *const *k = strings; *k; k++)
                if (take_string(meta, *k, a, path, d) < 0)
                        rc = -1;
        const char *img = json_string_value(json_object_get(a, "image"));
        /* a path on this site ("/media/x.png" or "x.png"): the theme puts the way to the
         * site root before it, so a URL with a scheme or a host would break (and a
         * javascript: one must never reach a page) */
        size_t lead = img ? strcspn(img, ":/?#") : 0;
        if (img && (!strncmp(img, "//", 2) || img[lead] == ':' || !escape_url_is_safe(img) ||
                    strpbrk(img, " \"'<>\\`"))) {
                n = ynode_get(meta, "image");
                diag_error(d, path, n->line, n->col,
                           "image '%s' must be a path on this site, such as /media/chart.png", img);
                rc = -1;
        }
        if (json_object_get(a, "image") && !json_object_get(a, "image_alt")) {
                n = ynode_get(meta, "image");
                diag_error(d, path, n->line, n->col,
                           "image needs image_alt: a short description for readers who cannot "
                           "see it");
                rc = -1;
        }
        if (take_slug(meta, a, path, d) < 0 || take_bool(meta, "draft", a, path, d) < 0)
                rc = -1;
        if ((n = ynode_get(meta, "corrections")) && take_corrections(n, a, path, tz, d) < 0)
                rc = -1;
        if (rc < 0) {
                json_decref(a);
                return NULL;
        }
        return a;
}

json_t *frontmatter_page(const struct ynode *meta, const char *path, json_t *cfg, struct diag *d)
{
        static const char *const keys[] = {"title", "summary", "slug", "draft", "updated", NULL};
        int tz = (int)json_integer_value(json_object_get(cfg, "tz_offset"));
        json_t *p = json_object();
        int rc = ynode_check_keys(meta, path, keys, d);
        const struct ynode *n;
        if (take_title(meta, p, path, d) < 0 || take_string(meta, "summary", p, path, d) < 0 ||
            take_slug(meta, p, path, d) < 0 || take_bool(meta, "draft", p, path, d) < 0)
                rc = -1;
        if ((n = ynode_get(meta, "updated")) && take_date(n, "updated", p, path, tz, d) < 0)
                rc = -1;
        if (rc < 0) {
                json_decref(p);
                return NULL;
        }
        return p;
}
