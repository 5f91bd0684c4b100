/* libFuzzer target: an article body through markdown_render with the portal's passes
 * (heading ids, TOC, site-rooted links checked against known pages, images, summary,
 * reading time) and the real ```chart / ```table handler over a fixed dataset. The HTML
 * must hold nothing that runs script, whatever the Markdown says. */
#include "fuzz_common.h"

#include "datapage.h"
#include "dataset.h"
#include "markdown.h"

static const char descriptor[] =
    "{\"name\": \"fund\", \"title\": \"基金<script>\", \"sources\": [{\"title\": \"来源\\\"'>\"}],"
    " \"chart\": {\"type\": \"bar\", \"x\": \"scheme\", \"y\": [\"income\"]},"
    " \"resources\": [{\"name\": \"fund\", \"path\": \"fund.csv\", \"schema\": {\"fields\": ["
    "{\"name\": \"scheme\", \"type\": \"string\"},"
    "{\"name\": \"income\", \"type\": \"number\", \"unit\": \"亿元\"},"
    "{\"name\": \"year\", \"type\": \"year\"}]}}]}";
static const char csv[] =
    "scheme,income,year\n职工医保,23700,2023\n\"<img src=x onerror=alert(1)>\",11100,2024\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static json_t *cfg, *model, *known;
        if (!cfg) {
                cfg = fuzz_config();
                char *root = fuzz_tmpdir("md");
                char *dir = xasprintf("%s/fund", root);
                char *p = xasprintf("%s/datapackage.json", dir);
                fuzz_write(p, descriptor, strlen(descriptor));
                free(p);
                p = xasprintf("%s/fund.csv", dir);
                fuzz_write(p, csv, strlen(csv));
                free(p);
                struct diag *d = diag_new();
                json_t *ds = dataset_load(dir, cfg, d);
                if (!ds) {
                        diag_flush(d, stderr);
                        abort();
                }
                diag_free(d);
                json_object_set_new(ds, "url", json_string("data/fund/"));
                model = json_pack("{s:[o]}", "datasets", ds);
                known =
                    json_pack("{s:b, s:b, s:b}", "articles/a/", 1, "media/x.png", 1, "about/", 1);
                free(dir);
                free(root);
        }
        struct diag *d = diag_new();
        struct render_stats stats = {0};
        struct render_opts opts = {.static_dir = "static", .media_dir = "media"};
        struct page_build c = {.cfg = cfg, .model = model, .opts = &opts, .stats = &stats, .d = d};
        struct datapage_fence f = {&c, "../../", 0};
        struct md_links links = {"../../", size && (data[0] & 1) ? known : NULL, datapage_fence,
                                 &f};
        if (size == 0)
                links.known = known;
        struct md_result r;
        if (markdown_render("a.md", 5, (const char *)data, size, &links, &r, d) == 0) {
                fuzz_check_html(r.html, strlen(r.html), "markdown_render");
                if (!r.summary || !r.text || !r.toc || r.minutes < 1)
                        abort();
                markdown_result_free(&r);
        } else if (!diag_errors(d)) {
                abort();
        }
        fuzz_diag_done(d);
        return 0;
}
