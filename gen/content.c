/* content: loading articles and pages. */
#include "content.h"
#include "buf.h"
#include "config.h"
#include "dataset.h"
#include "digest.h"
#include "frontmatter.h"
#include "fsio.h"
#include "pool.h"

#include <string.h>

#define BOM_LEN 3

/* The slug a file gets when its front matter sets none: its name without ".md". */
static char *slug_from_path(const char *path)
{
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        return xstrndup(base, strlen(base) - 3);
}

/* Notes in entry where its body md (len bytes) is in the file (at byte off, line line)
 * and what the later steps need to know of it without reading it again: its digest, for
 * the body cache's key and to tell whether the file changed before the body was read
 * back, and whether it may draw a chart. The body itself is not kept: held by every
 * article until rendered, the bodies were the largest part of a build's memory. */
static void note_body(json_t *entry, const char *md, size_t len, size_t off, int line)
{
        struct buf hex = {0};
        digest_sha256_hex(&hex, md, len);
        json_object_set_new(entry, "body_line", json_integer(line));
        json_object_set_new(entry, "body_offset", json_integer((json_int_t)off));
        json_object_set_new(entry, "body_sha256", json_stringn_nocheck(hex.data, hex.len));
        json_object_set_new(entry, "body_chart", json_boolean(memmem(md, len, "chart", 5)));
        buf_free(&hex);
}

/* Loads one file; kind_page selects the page schema. Returns the entry or NULL. */
static json_t *load_file(const char *path, json_t *cfg, int kind_page, struct diag *d)
{
        struct buf text = {0};
        struct ynode *meta = NULL;
        json_t *entry = NULL;
        if (fsio_read(path, &text, d) < 0)
                goto out;
        const char *s = buf_cstr(&text);
        size_t len = text.len;
        size_t bom = len >= BOM_LEN && !memcmp(s, "\xEF\xBB\xBF", BOM_LEN) ? BOM_LEN : 0;
        s += bom; /* a UTF-8 BOM is allowed, and dropped */
        len -= bom;
        if (frontmatter_check_utf8(path, s, len, d) < 0)
                goto out;
        size_t body_off;
        int body_line;
        if (frontmatter_split(path, s, len, &meta, &body_off, &body_line, d) < 0)
                goto out;
        entry = kind_page ? frontmatter_page(meta, path, cfg, d)
                          : frontmatter_article(meta, path, cfg, d);
        if (!entry)
                goto out;
        if (!json_object_get(entry, "slug")) {
                char *slug = slug_from_path(path);
                if (!config_is_slug(slug)) {
                        diag_error(d, path, 1, 1,
                                   "file name '%s' is not a valid slug: rename the file or set "
                                   "slug: (lowercase ASCII letters, digits and '-')",
                                   slug);
                        free(slug);
                        json_decref(entry);
                        entry = NULL;
                        goto out;
                }
                json_object_set_new(entry, "slug", json_string(slug));
                free(slug);
        }
        json_object_set_new(entry, "path", json_string(path));
        note_body(entry, s + body_off, len - body_off, bom + body_off, body_line);
out:
        ynode_free(meta);
        buf_free(&text);
        return entry;
}

/* The files of one folder being loaded on the pool: entries[i] is files[i]'s entry, or
 * NULL when it failed. */
struct load_job {
        json_t *files;
        json_t *cfg;
        int kind_page;
        json_t **entries;
        struct diag *d;
};

static int load_one(void *arg, size_t i)
{
        struct load_job *j = arg;
        const char *path = json_string_value(json_array_get(j->files, i));
        j->entries[i] = load_file(path, j->cfg, j->kind_page, j->d);
        return j->entries[i] ? 0 : -1;
}

/* Loads every .md file below sub into a new array, in file order, the files read and
 * parsed on up to jobs threads; sets *failed on any error. */
static json_t *load_all(const char *dir, const char *sub, json_t *cfg, int kind_page, int jobs,
                        int *failed, struct diag *d)
{
        char *folder = xasprintf("%s/%s", dir, sub);
        json_t *out = json_array();
        json_t *files = fsio_list(folder, ".md", d);
        free(folder);
        if (!files) {
                *failed = 1;
                return out;
        }
        size_t n = json_array_size(files);
        struct load_job j = {files, cfg, kind_page, xcalloc(n ? n : 1, sizeof(json_t *)), d};
        if (pool_run(jobs, n, load_one, &j) < 0)
                *failed = 1;
        for (size_t i = 0; i < n; i++)
                if (j.entries[i])
                        json_array_append_new(out, j.entries[i]);
        free(j.entries);
        json_decref(files);
        return out;
}

json_t *content_load_jobs(const char *dir, json_t *cfg, int jobs, struct diag *d)
{
        int failed = 0;
        json_t *articles = load_all(dir, "articles", cfg, 0, jobs, &failed, d);
        json_t *pages = load_all(dir, "pages", cfg, 1, jobs, &failed, d);
        char *data_dir = xasprintf("%s/data", dir);
        json_t *datasets = dataset_load_all(data_dir, cfg, d);
        free(data_dir);
        if (failed || !datasets) {
                json_decref(articles);
                json_decref(pages);
                json_decref(datasets);
                return NULL;
        }
        return json_pack("{s:o, s:o, s:o}", "articles", articles, "pages", pages, "datasets",
                         datasets);
}

json_t *content_load(const char *dir, json_t *cfg, struct diag *d)
{
        return content_load_jobs(dir, cfg, pool_default_jobs(), d);
}

/* Reports that path's body is no longer the one loaded. */
static int changed(const char *path, int line, struct diag *d)
{
        diag_error(d, path, line, 1,
                   "the file changed while the site was being built: build again");
        return -1;
}

int content_body(json_t *entry, struct buf *text, const char **md, size_t *len, struct diag *d)
{
        json_t *kept = json_object_get(entry, "markdown");
        if (kept) {
                *md = json_string_value(kept);
                *len = json_string_length(kept);
                return 0;
        }
        const char *path = json_string_value(json_object_get(entry, "path"));
        int line = (int)json_integer_value(json_object_get(entry, "body_line"));
        json_int_t off = json_integer_value(json_object_get(entry, "body_offset"));
        if (fsio_read(path, text, d) < 0)
                return -1;
        if (off < 0 || (size_t)off > text->len)
                return changed(path, line, d);
        const char *body = buf_cstr(text) + off;
        const char *loaded = json_string_value(json_object_get(entry, "body_sha256"));
        struct buf hex = {0};
        digest_sha256_hex(&hex, body, text->len - (size_t)off);
        int same = loaded && !strcmp(buf_cstr(&hex), loaded);
        buf_free(&hex);
        if (!same)
                return changed(path, line, d);
        *md = body;
        *len = text->len - (size_t)off;
        return 0;
}
