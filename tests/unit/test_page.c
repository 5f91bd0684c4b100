/* Unit tests for page keys: output keeps a file only for the key it was written with,
 * and only while the file is as written; a card's key covers everything a card shows.
 * The headers' documented behaviour is the specification. */
#include "check.h"

#include "buf.h"
#include "diag.h"
#include "fsio.h"
#include "output.h"
#include "page.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmp_root;

/* ---- output_keep ---- */

static void write_str(struct output *o, const char *rel, const char *s, struct diag *d)
{
        if (output_write(o, rel, s, strlen(s), d) < 0)
                printf("FAIL output_write %s\n", rel);
}

/* Writes what every build of the test site has besides a.html (a later build refuses to
 * replace a folder without index.html and sitemap.xml). */
static void write_rest(struct output *o, struct diag *d)
{
        write_str(o, "index.html", "<p>home</p>\n", d);
        write_str(o, "sitemap.xml", "<urlset/>\n", d);
}

static char *slurp(const char *path)
{
        struct diag *d = diag_new();
        struct buf b = {0};
        char *s = fsio_read(path, &b, d) == 0 ? buf_detach(&b) : NULL;
        buf_free(&b);
        diag_free(d);
        return s;
}

static unsigned long inode_of(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

/* Turns the manifest into version 1 (no key column), as an older gen wrote it. */
static void manifest_to_v1(const char *path)
{
        char *s = slurp(path);
        if (!s)
                return;
        struct buf out = {0};
        for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
                if (!strcmp(line, "gongbao-output 2")) {
                        buf_puts(&out, "gongbao-output 1\n");
                } else if (!strncmp(line, "F ", 2)) {
                        char *key = strchr(line + 2, ' '); /* after the hash */
                        char *rest = key ? strchr(key + 1, ' ') : NULL;
                        if (rest)
                                buf_printf(&out, "%.*s%s\n", (int)(key - line), line, rest);
                } else {
                        buf_printf(&out, "%s\n", line);
                }
        }
        struct diag *d = diag_new();
        if (fsio_write(path, out.data, out.len, d) < 0)
                printf("FAIL rewriting the manifest\n");
        diag_free(d);
        buf_free(&out);
        free(s);
}

static void test_output_keep(void)
{
        unsigned char k1[32], k2[32];
        memset(k1, 1, sizeof k1);
        memset(k2, 2, sizeof k2);
        char *site = xasprintf("%s/site", tmp_root);
        char *a = xasprintf("%s/a.html", site);
        char *manifest = xasprintf("%s/.site.manifest", tmp_root);
        struct diag *d = diag_new();
        long written, kept;

        struct output *o = output_begin(site, d);
        CHECK(o != NULL, "output_keep: first build begins");
        if (!o)
                goto out;
        CHECK(!output_keep(o, "a.html", k1), "output_keep: nothing published yet");
        CHECK(output_write_key(o, "a.html", "hello", 5, k1, d) == 0, "output_write_key writes");
        write_str(o, "b.html", "no key", d);
        write_rest(o, d);
        CHECK(output_commit(o, d) == 0, "output_keep: first build commits");
        unsigned long ino = inode_of(a);

        o = output_begin(site, d);
        CHECK(!output_keep(o, "a.html", k2), "output_keep: another key is not kept");
        CHECK(!output_keep(o, "b.html", k1), "output_keep: a file written without a key is not");
        CHECK(!output_keep(o, "../x.html", k1), "output_keep: a path outside is not");
        CHECK(output_keep(o, "a.html", k1), "output_keep: the same key is kept");
        write_str(o, "b.html", "no key", d);
        write_rest(o, d);
        output_counts(o, &written, &kept);
        CHECK(written == 0 && kept == 4, "output_keep: a kept file counts as unchanged");
        CHECK(output_commit(o, d) == 0, "output_keep: second build commits");
        char *s = slurp(a);
        CHECK(s && !strcmp(s, "hello") && inode_of(a) == ino,
              "output_keep: the kept file is the published one (same bytes, same inode)");
        free(s);

        /* the key is recorded again with a kept file: a third build keeps it too */
        o = output_begin(site, d);
        CHECK(output_keep(o, "a.html", k1), "output_keep: kept again a build later");
        write_rest(o, d);
        CHECK(output_commit(o, d) == 0, "output_keep: third build commits");

        /* edited by hand: not trusted */
        FILE *f = fopen(a, "a");
        if (f) {
                fputs(" edited", f);
                fclose(f);
        }
        o = output_begin(site, d);
        CHECK(!output_keep(o, "a.html", k1), "output_keep: a file edited by hand is not kept");
        CHECK(output_write_key(o, "a.html", "hello", 5, k1, d) == 0,
              "output_keep: edited, rewritten");
        write_rest(o, d);
        CHECK(output_commit(o, d) == 0, "output_keep: fourth build commits");
        s = slurp(a);
        CHECK(s && !strcmp(s, "hello"), "output_keep: the edited file is written again");
        free(s);

        /* deleted by hand: not trusted */
        unlink(a);
        o = output_begin(site, d);
        CHECK(!output_keep(o, "a.html", k1), "output_keep: a deleted file is not kept");
        CHECK(output_write_key(o, "a.html", "hello", 5, k1, d) == 0,
              "output_keep: deleted, rewritten");
        write_rest(o, d);
        CHECK(output_commit(o, d) == 0, "output_keep: fifth build commits");
        CHECK(access(a, F_OK) == 0, "output_keep: the deleted file is written again");

        /* a version 1 manifest: its hashes still keep unchanged bytes, its keys are none */
        manifest_to_v1(manifest);
        o = output_begin(site, d);
        CHECK(!output_keep(o, "a.html", k1), "output_keep: a version 1 manifest has no keys");
        CHECK(output_write_key(o, "a.html", "hello", 5, k1, d) == 0,
              "output_keep: version 1, rewritten");
        write_rest(o, d);
        output_counts(o, &written, &kept);
        CHECK(written == 0 && kept == 3, "output: a version 1 manifest's hashes are still used");
        CHECK(output_commit(o, d) == 0, "output_keep: sixth build commits");
        o = output_begin(site, d);
        CHECK(output_keep(o, "a.html", k1), "output_keep: the key is recorded again after it");
        write_rest(o, d);
        CHECK(output_commit(o, d) == 0, "output_keep: seventh build commits");
out:
        CHECK(diag_errors(d) == 0, "output_keep: no errors");
        diag_free(d);
        free(site);
        free(a);
        free(manifest);
}

/* ---- output_write into a fresh build folder and into the spare tree ---- */

/* True when the file at site/rel holds exactly s. */
static bool holds(const char *site, const char *rel, const char *s)
{
        char *path = xasprintf("%s/%s", site, rel);
        char *got = slurp(path);
        bool same = got && !strcmp(got, s);
        free(got);
        free(path);
        return same;
}

/* A fresh build folder creates files at once in folders it made before; every file is
 * where it belongs in the first and the second build (both fresh: no spare tree yet) and
 * in the third (the first build's tree, brought up to date, with a file where a folder
 * was and a folder where a file was). */
static void test_output_fresh(void)
{
        char *site = xasprintf("%s/fresh", tmp_root);
        struct diag *d = diag_new();
        static const char *const rels[] = {"x.html",       "a/b/c.html", "a/b/d.html", "a/e.html",
                                           "p/q/r/s.html", "p/q/t.html", "p/u/v.html", NULL};
        for (int build = 1; build <= 3; build++) {
                struct output *o = output_begin(site, d);
                char *name = xasprintf("output fresh: build %d begins", build);
                CHECK(o != NULL, name);
                free(name);
                if (!o)
                        break;
                for (const char *const *r = rels; *r; r++) {
                        char *text = xasprintf("%s %d", *r, build);
                        write_str(o, *r, text, d);
                        free(text);
                }
                /* the same file twice in one build: the second wins */
                write_str(o, "a/b/c.html", "again", d);
                /* a file where the last build had a folder, and a folder where it had a
                 * file */
                write_str(o, build == 3 ? "m" : "m/n.html", "m", d);
                write_str(o, build == 3 ? "k/l.html" : "k", "k", d);
                write_rest(o, d);
                name = xasprintf("output fresh: build %d commits", build);
                CHECK(output_commit(o, d) == 0, name);
                free(name);
                bool all = holds(site, "a/b/c.html", "again");
                for (const char *const *r = rels + 1; *r; r++) {
                        char *text = xasprintf("%s %d", *r, build);
                        if (strcmp(*r, "a/b/c.html"))
                                all = all && holds(site, *r, text);
                        free(text);
                }
                all = all && holds(site, build == 3 ? "m" : "m/n.html", "m") &&
                      holds(site, build == 3 ? "k/l.html" : "k", "k");
                name = xasprintf("output fresh: build %d has every file as written", build);
                CHECK(all, name);
                free(name);
        }
        CHECK(diag_errors(d) == 0, "output fresh: no errors");
        diag_free(d);
        free(site);
}

/* ---- page_key_card ---- */

/* The bytes a key of article 0's card adds. Caller frees. */
static char *card_key(json_t *model)
{
        struct page_build c = {.model = model, .keyed = true};
        page_keys_cards(&c);
        struct page_key k;
        page_key_begin(&c, &k, "list", "x/index.html");
        json_t *zero = json_integer(0);
        page_key_card(&c, &k, zero);
        json_decref(zero);
        char *hex = NULL;
        if (k.on) {
                struct buf b = {0};
                for (size_t i = 0; i < k.b.len; i++)
                        buf_printf(&b, "%02x", (unsigned char)k.b.data[i]);
                hex = buf_detach(&b);
        }
        buf_free(&k.b);
        page_keys_end(&c);
        return hex;
}

/* Every member a card shows comes from the article's member of that name: changing that
 * member must change the card's key. */
static void test_card_key(void)
{
        json_t *a =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[{s:s}], s:[{s:s}], s:i, s:i, s:i}",
                      "title", "标题", "url", "articles/x/", "date", "2025-01-02T03:04:05+08:00",
                      "date_zh", "2025年1月2日", "summary", "摘要", "source", "法治日报", "region",
                      "北京", "topics", "name", "社会治理", "tags", "name", "标签", "date_epoch",
                      1735758245, "date_offset", 480, "body_line", 9);
        json_t *model = json_pack("{s:[o]}", "articles", a);
        char *base = card_key(model);
        CHECK(base != NULL, "page_key_card: keys a card");
        char *same = card_key(model);
        CHECK(base && same && !strcmp(base, same), "page_key_card: the same card, the same key");
        free(same);
        json_t *card = page_card(a);
        const char *name;
        json_t *v;
        json_object_foreach(card, name, v)
        {
                json_t *old = json_incref(json_object_get(a, name));
                json_object_set_new(a, name, json_string("changed"));
                char *k = card_key(model);
                char *label = xasprintf("page_key_card: the card's %s is in its key", name);
                CHECK(base && k && strcmp(base, k), label);
                free(label);
                free(k);
                if (old)
                        json_object_set_new(a, name, old);
                else
                        json_object_del(a, name);
        }
        json_decref(card);
        /* what the card does not show (the body's line) need not be */
        json_object_set_new(a, "body_line", json_integer(10));
        char *k = card_key(model);
        CHECK(base && k && !strcmp(base, k), "page_key_card: what a card does not show is not");
        free(k);
        free(base);
        json_decref(model);
}

int main(void)
{
        char tmpl[] = "/tmp/gongbao-test-page-XXXXXX";
        tmp_root = mkdtemp(tmpl);
        if (!tmp_root) {
                printf("FAIL mkdtemp\n");
                return 1;
        }
        test_output_keep();
        test_output_fresh();
        test_card_key();
        fsio_remove_tree(tmp_root);
        return check_exit();
}
