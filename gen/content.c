/* content: loading articles and pages. */
#include "content.h"
#include "buf.h"
#include "cache.h"
#include "config.h"
#include "dataset.h"
#include "digest.h"
#include "frontmatter.h"
#include "fsio.h"
#include "pool.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define BOM_LEN 3

/* ---- the load memo ----
 * With the cache, loading remembers every file it parsed in the cache's "load" file: the
 * file's path, inode, size, modification and change times (ns) and its entry as JSON. A
 * later build takes the entry of a file whose lstat still matches without reading or
 * parsing it, as git's index does: writing to a file changes its mtime and ctime, and
 * nothing sets a ctime back. The file is stat'ed before it is read, so a file edited
 * while it was read has a newer stat than the one remembered. A file modified less than
 * RACY_NS before it was read is not remembered: on a file system with coarse timestamps
 * a second edit within the same tick would keep them. The memo is sealed with the cache's
 * salt (the gen binary and the settings, which parsing depends on): see cache_memo_get. */
#define MEMO_NAME  "load"
#define MEMO_MAGIC "gongbao-load 1"
#define RACY_NS    2000000000LL

struct memo_rec {
        const char *path, *json; /* into the memo file's text */
        size_t pathlen, jsonlen;
        uint64_t ino, size;
        int64_t mtime, ctime;
};

struct load_memo {
        struct buf file;    /* the memo as read */
        struct memo_rec *v; /* sorted by path */
        size_t n;
        int64_t now; /* when loading started (ns since the epoch) */
};

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
static void note_body(json_t *entry, const char *front, size_t front_len, const char *md,
                      size_t len, size_t off, int line)
{
        struct buf hex = {0};
        /* the quick rebuild (quick.h) tells an edit of the body alone by this */
        digest_sha256_hex(&hex, front, front_len);
        json_object_set_new(entry, "front_sha256", json_stringn_nocheck(hex.data, hex.len));
        buf_reset(&hex);
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
        note_body(entry, buf_cstr(&text), bom + body_off, s + body_off, len - body_off,
                  bom + body_off, body_line);
out:
        ynode_free(meta);
        buf_free(&text);
        return entry;
}

static int64_t ns_of(struct timespec t)
{
        return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int cmp_rec(const void *pa, const void *pb)
{
        const struct memo_rec *a = pa, *b = pb;
        int c = memcmp(a->path, b->path, a->pathlen < b->pathlen ? a->pathlen : b->pathlen);
        return c ? c : (a->pathlen > b->pathlen) - (a->pathlen < b->pathlen);
}

/* Reads one number and the separator after it at *p (advanced). Returns 0, or -1. */
static int memo_number(const char **p, char sep, int64_t *out)
{
        char *e;
        long long v = strtoll(*p, &e, 10);
        if (e == *p || *e != sep)
                return -1;
        *out = v;
        *p = e + 1;
        return 0;
}

/* The memo's records after its magic and salt lines, each
 * "<ino> <size> <mtime> <ctime> <pathlen> <jsonlen>\n<path>\n<json>\n", up to tail.
 * Returns 0, or -1 when one is damaged (then none is used). */
static int memo_parse(struct load_memo *m, const char *p, const char *tail)
{
        size_t cap = 0;
        while (p < tail) {
                int64_t f[6];
                for (int k = 0; k < 6; k++)
                        if (memo_number(&p, k < 5 ? ' ' : '\n', &f[k]) < 0 || f[k] < 0)
                                return -1;
                if (f[4] > tail - p || f[5] > tail - p - f[4] - 2 || p[f[4]] != '\n' ||
                    p[f[4] + 1 + f[5]] != '\n')
                        return -1;
                if (m->n == cap) {
                        cap = cap ? 2 * cap : 1024;
                        m->v = xrealloc(m->v, cap * sizeof *m->v);
                }
                m->v[m->n++] = (struct memo_rec){
                    p,    p + f[4] + 1, (size_t)f[4], (size_t)f[5], (uint64_t)f[0], (uint64_t)f[1],
                    f[2], f[3]};
                p += f[4] + f[5] + 2;
        }
        qsort(m->v, m->n, sizeof *m->v, cmp_rec);
        return 0;
}

/* Opens the memo of c (with none: an empty one, which loading fills). */
static void memo_open(struct load_memo *m, struct cache *c)
{
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        m->now = ns_of(now);
        const char *records;
        size_t len;
        if (cache_memo_get(c, MEMO_NAME, MEMO_MAGIC, &m->file, &records, &len) == 0 &&
            memo_parse(m, records, records + len) < 0) {
                free(m->v);
                m->v = NULL;
                m->n = 0;
        }
}

static void memo_close(struct load_memo *m)
{
        free(m->v);
        buf_free(&m->file);
}

/* The record of path, or NULL. */
static const struct memo_rec *memo_find(const struct load_memo *m, const char *path)
{
        struct memo_rec probe = {.path = path, .pathlen = strlen(path)};
        return m->n ? bsearch(&probe, m->v, m->n, sizeof *m->v, cmp_rec) : NULL;
}

/* The files of one folder being loaded on the pool: entries[i] is files[i]'s entry, or
 * NULL when it failed. With a memo, seen[i] is what the memo is to keep of files[i]: its
 * stat and its entry's JSON (into the old memo, or fresh[i]); no json when the file is not
 * to be remembered. */
struct load_job {
        json_t *files;
        json_t *cfg;
        int kind_page;
        json_t **entries;
        struct diag *d;
        const struct load_memo *memo;
        struct memo_rec *seen;
        char **fresh;
        atomic_size_t remembered;
};

static int load_one(void *arg, size_t i)
{
        struct load_job *j = arg;
        const char *path = json_string_value(json_array_get(j->files, i));
        struct stat st;
        struct memo_rec *seen = j->memo ? &j->seen[i] : NULL;
        if (seen && lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                *seen = (struct memo_rec){path,
                                          NULL,
                                          strlen(path),
                                          0,
                                          (uint64_t)st.st_ino,
                                          (uint64_t)st.st_size,
                                          ns_of(st.st_mtim),
                                          ns_of(st.st_ctim)};
                const struct memo_rec *r = memo_find(j->memo, path);
                if (r && r->ino == seen->ino && r->size == seen->size && r->mtime == seen->mtime &&
                    r->ctime == seen->ctime) {
                        json_t *e = json_loadb(r->json, r->jsonlen, 0, NULL);
                        if (json_is_object(e)) {
                                j->entries[i] = e;
                                seen->json = r->json;
                                seen->jsonlen = r->jsonlen;
                                atomic_fetch_add(&j->remembered, 1);
                                return 0;
                        }
                        json_decref(e);
                }
        } else {
                seen = NULL; /* not remembered: loading reports what is wrong with it */
        }
        j->entries[i] = load_file(path, j->cfg, j->kind_page, j->d);
        if (seen && j->entries[i] && seen->mtime < j->memo->now - RACY_NS &&
            seen->ctime < j->memo->now - RACY_NS) {
                j->fresh[i] = json_dumps(j->entries[i], JSON_COMPACT);
                seen->json = j->fresh[i];
                seen->jsonlen = j->fresh[i] ? strlen(j->fresh[i]) : 0;
        }
        return j->entries[i] ? 0 : -1;
}

/* What the next memo is to hold: of each folder loaded, every file's record (seen) and the
 * JSON of the entries parsed in this build (fresh, owned). */
struct memo_next {
        struct {
                struct memo_rec *seen;
                char **fresh;
                size_t n;
                json_t *files; /* the paths the records point to */
        } part[2];
        size_t nparts;
        size_t remembered; /* entries taken from the old memo */
};

/* Appends the records of one folder to out, counting them in *count; *changed becomes true
 * when one is new. */
static void memo_records(struct buf *out, const struct memo_rec *seen, char *const *fresh, size_t n,
                         size_t *count, bool *changed)
{
        for (size_t i = 0; i < n; i++) {
                const struct memo_rec *r = &seen[i];
                if (!r->json)
                        continue;
                *changed |= fresh[i] != NULL;
                ++*count;
                if (!out)
                        continue;
                buf_printf(out, "%" PRIu64 " %" PRIu64 " %" PRId64 " %" PRId64 " %zu %zu\n", r->ino,
                           r->size, r->mtime, r->ctime, r->pathlen, r->jsonlen);
                buf_put(out, r->path, r->pathlen);
                buf_putc(out, '\n');
                buf_put(out, r->json, r->jsonlen);
                buf_putc(out, '\n');
        }
}

/* Loads every .md file below sub into a new array, in file order, the files read and
 * parsed on up to jobs threads; sets *failed on any error. With memo, adds the records of
 * the next memo to next. */
static json_t *load_all(const char *dir, const char *sub, json_t *cfg, int kind_page, int jobs,
                        const struct load_memo *memo, struct memo_next *next, int *failed,
                        struct diag *d)
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
        struct load_job j = {.files = files,
                             .cfg = cfg,
                             .kind_page = kind_page,
                             .entries = xcalloc(n ? n : 1, sizeof(json_t *)),
                             .d = d,
                             .memo = memo};
        if (memo) {
                j.seen = xcalloc(n ? n : 1, sizeof *j.seen);
                j.fresh = xcalloc(n ? n : 1, sizeof *j.fresh);
        }
        if (pool_run(jobs, n, load_one, &j) < 0)
                *failed = 1;
        for (size_t i = 0; i < n; i++)
                if (j.entries[i])
                        json_array_append_new(out, j.entries[i]);
        if (memo) { /* the records are kept by memo_save */
                next->part[next->nparts].seen = j.seen;
                next->part[next->nparts].fresh = j.fresh;
                next->part[next->nparts].files = json_incref(files);
                next->part[next->nparts++].n = n;
                next->remembered += atomic_load(&j.remembered);
        }
        free(j.entries);
        json_decref(files);
        return out;
}

/* Keeps the next memo when it differs from the one read (with save), and frees next. */
static void memo_save(struct load_memo *m, struct cache *c, struct memo_next *next, bool save)
{
        size_t count = 0;
        bool changed = false;
        for (size_t k = 0; k < next->nparts; k++)
                memo_records(NULL, next->part[k].seen, next->part[k].fresh, next->part[k].n, &count,
                             &changed);
        if (save && (changed || count != m->n)) {
                struct buf f = {0};
                for (size_t k = 0; k < next->nparts; k++)
                        memo_records(&f, next->part[k].seen, next->part[k].fresh, next->part[k].n,
                                     &count, &changed);
                cache_memo_put(c, MEMO_NAME, MEMO_MAGIC, f.data, f.len);
                buf_free(&f);
        }
        for (size_t k = 0; k < next->nparts; k++) {
                for (size_t i = 0; i < next->part[k].n; i++)
                        free(next->part[k].fresh[i]);
                free(next->part[k].fresh);
                free(next->part[k].seen);
                json_decref(next->part[k].files);
        }
}

json_t *content_load_cached(const char *dir, json_t *cfg, int jobs, struct cache *cache,
                            size_t *remembered, struct diag *d)
{
        int failed = 0;
        struct load_memo memo = {0};
        struct memo_next next = {0};
        if (cache)
                memo_open(&memo, cache);
        const struct load_memo *m = cache ? &memo : NULL;
        json_t *articles = load_all(dir, "articles", cfg, 0, jobs, m, &next, &failed, d);
        json_t *pages = load_all(dir, "pages", cfg, 1, jobs, m, &next, &failed, d);
        char *data_dir = xasprintf("%s/data", dir);
        json_t *datasets = dataset_load_all(data_dir, cfg, d);
        free(data_dir);
        if (remembered)
                *remembered = next.remembered;
        memo_save(&memo, cache, &next, cache && !failed);
        memo_close(&memo);
        if (failed || !datasets) {
                json_decref(articles);
                json_decref(pages);
                json_decref(datasets);
                return NULL;
        }
        return json_pack("{s:o, s:o, s:o}", "articles", articles, "pages", pages, "datasets",
                         datasets);
}

json_t *content_load_jobs(const char *dir, json_t *cfg, int jobs, struct diag *d)
{
        return content_load_cached(dir, cfg, jobs, NULL, NULL, d);
}

json_t *content_load(const char *dir, json_t *cfg, struct diag *d)
{
        return content_load_jobs(dir, cfg, pool_default_jobs(), d);
}

json_t *content_load_article(const char *path, json_t *cfg, struct diag *d)
{
        return load_file(path, cfg, 0, d);
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
