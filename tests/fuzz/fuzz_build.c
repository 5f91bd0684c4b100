/* libFuzzer target: a whole build. The input is one article file (content/articles/a.md),
 * then optionally a NUL byte and site.yaml; a second article, a page and a dataset are
 * fixed. The pipeline runs as `gen build` runs it (as of 2030-01-01, one thread, no lint),
 * into a scratch site/. After a good
 * build every HTML page must hold nothing that runs script, every feed and the sitemap
 * must be well-formed, feed.json must parse, and nothing may appear beside site/. */
#include "fuzz_common.h"

#include "config.h"
#include "content.h"
#include "output.h"
#include "render.h"
#include "site.h"
#include "tmpl.h"

#include <dirent.h>

#ifndef GONGBAO_ROOT
#define GONGBAO_ROOT "."
#endif

static const char site_yaml[] = "title: \"测试站\"\n"
                                "base_url: \"https://example.org/sub/\"\n"
                                "topics:\n"
                                "  health:\n"
                                "    name: \"健康\"\n"
                                "  wages:\n"
                                "    name: \"欠薪\"\n"
                                "    description: \"欠薪治理\"\n"
                                "navigation:\n"
                                "  - {title: \"关于\", url: \"/about/\"}\n";

static const char article_b[] = "---\n"
                                "title: \"第二篇\"\n"
                                "date: 2025-01-03T09:00:00+08:00\n"
                                "topics: [health]\n"
                                "tags: [医保, x]\n"
                                "---\n\n第二段。见[关于](/about/)。\n";

static const char page_about[] = "---\ntitle: \"关于\"\n---\n\n关于本站。\n";

static const char descriptor[] =
    "{\"name\": \"fund\", \"title\": \"基金\", \"topics\": [\"health\"],"
    " \"chart\": {\"type\": \"bar\", \"x\": \"scheme\", \"y\": [\"income\"]},"
    " \"resources\": [{\"name\": \"fund\", \"path\": \"fund.csv\", \"schema\": {\"fields\": ["
    "{\"name\": \"scheme\", \"type\": \"string\"},"
    "{\"name\": \"income\", \"type\": \"number\", \"unit\": \"亿元\"}]}}]}";
static const char csv[] = "scheme,income\n职工医保,23700\n居民医保,11100\n";

static char *root;

/* Writes root/rel. */
static void put(const char *rel, const void *data, size_t len)
{
        char *p = xasprintf("%s/%s", root, rel);
        fuzz_write(p, data, len);
        free(p);
}

/* Aborts when root holds anything but content/ and site/ (and a build's own leftovers,
 * which must be gone too). */
static void check_confined(void)
{
        DIR *dh = opendir(root);
        if (!dh)
                abort();
        struct dirent *e;
        while ((e = readdir(dh))) {
                const char *n = e->d_name;
                if (strcmp(n, ".") && strcmp(n, "..") && strcmp(n, "content") &&
                    strcmp(n, "site")) {
                        fprintf(stderr, "fuzz: build left %s/%s\n", root, n);
                        abort();
                }
        }
        closedir(dh);
}

/* Checks every file the build wrote. */
static void check_site(const char *site)
{
        struct diag *d = diag_new();
        json_t *files = fsio_list(site, "", d);
        if (!files)
                abort();
        size_t i;
        json_t *f;
        struct buf b = {0};
        json_array_foreach(files, i, f)
        {
                const char *path = json_string_value(f);
                size_t n = strlen(path);
                if (fsio_read(path, &b, d) < 0)
                        abort();
                if (n > 5 && !strcmp(path + n - 5, ".html"))
                        fuzz_check_html(buf_cstr(&b), b.len, path);
                else if (n > 4 && !strcmp(path + n - 4, ".xml")) {
                        xmlDocPtr doc = xmlReadMemory(buf_cstr(&b), (int)b.len, path, "UTF-8",
                                                      XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                                          XML_PARSE_NONET | XML_PARSE_HUGE);
                        if (!doc) {
                                fprintf(stderr, "fuzz: %s is not well-formed\n%s\n", path,
                                        buf_cstr(&b));
                                abort();
                        }
                        xmlFreeDoc(doc);
                } else if (!strcmp(path + n - 9, "feed.json")) {
                        json_error_t e;
                        json_t *j = json_loadb(buf_cstr(&b), b.len, 0, &e);
                        if (!j) {
                                fprintf(stderr, "fuzz: %s: %s\n", path, e.text);
                                abort();
                        }
                        json_decref(j);
                }
        }
        buf_free(&b);
        json_decref(files);
        diag_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!root) {
                root = fuzz_tmpdir("build");
                put("content/articles/b.md", article_b, strlen(article_b));
                put("content/pages/about.md", page_about, strlen(page_about));
                put("content/data/fund/datapackage.json", descriptor, strlen(descriptor));
                put("content/data/fund/fund.csv", csv, strlen(csv));
                xmlSetGenericErrorFunc(NULL, fuzz_xml_quiet);
        }
        const uint8_t *nul = memchr(data, '\0', size);
        size_t alen = nul ? (size_t)(nul - data) : size;
        put("content/articles/a.md", data, alen);
        if (nul)
                put("content/site.yaml", nul + 1, size - alen - 1);
        else
                put("content/site.yaml", site_yaml, strlen(site_yaml));

        char *content = xasprintf("%s/content", root), *yaml = xasprintf("%s/site.yaml", content);
        char *media = xasprintf("%s/media", content), *site = xasprintf("%s/site", root);
        struct diag *d = diag_new();
        json_t *cfg = config_load(yaml, d), *loaded = NULL, *model = NULL;
        struct tmpl_lib *lib = tmpl_lib_new(GONGBAO_ROOT "/templates");
        tmpl_lib_strict(lib, true);
        struct output *o = NULL;
        struct render_stats stats = {0};
        int ok = 0;
        if (!cfg)
                goto out;
        if (!(loaded = content_load(content, cfg, d)))
                goto out;
        if (!(model = site_build(cfg, loaded, false, 1893456000 /* 2030-01-01 */, d)))
                goto out;
        if (!(o = output_begin(site, d)))
                abort(); /* the scratch folder is writable */
        struct render_opts opts = {
            .static_dir = GONGBAO_ROOT "/static", .media_dir = media, .jobs = 1};
        if (render_site(cfg, model, lib, o, &opts, &stats, d) < 0)
                goto out;
        int committed = output_commit(o, d);
        o = NULL;
        if (committed < 0)
                abort();
        ok = 1;
out:
        output_abort(o);
        if (ok == (diag_errors(d) > 0)) {
                diag_flush(d, stderr);
                abort(); /* success without errors, failure with at least one */
        }
        check_confined();
        if (ok)
                check_site(site);
        fuzz_diag_done(d);
        json_decref(model);
        json_decref(loaded);
        json_decref(cfg);
        tmpl_lib_free(lib);
        free(content);
        free(yaml);
        free(media);
        free(site);
        return 0;
}
