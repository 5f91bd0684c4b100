/* datapage: statistics pages, downloads, and the chart/table blocks. */
#include "datapage.h"
#include "buf.h"
#include "chart.h"
#include "dataset.h"
#include "digest.h"
#include "escape.h"
#include "numfmt.h"
#include "statsum.h"
#include "table.h"
#include "yaml.h"

#include <stdbool.h>
#include <string.h>

#define MAX_SERIES        12
#define DATAPAGE_MAX_ROWS 1000 /* rows a dataset page lists (the downloads hold all) */

static const char *str(json_t *obj, const char *key)
{
        return page_str(obj, key);
}

static json_t *dataset_named(struct page_build *c, const char *name)
{
        size_t i;
        json_t *ds;
        json_array_foreach(json_object_get(c->model, "datasets"), i,
                           ds) if (!strcmp(str(ds, "name"), name)) return ds;
        return NULL;
}

/* The first resource's table: what charts and tables show. */
static json_t *main_table(json_t *ds)
{
        return json_object_get(json_array_get(json_object_get(ds, "resources"), 0), "table");
}

/* "来源：法治日报，2025年1月14日；……" from a dataset's sources. Caller frees. */
static char *source_line(json_t *ds)
{
        struct buf b = {0};
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(ds, "sources"), i, s)
        {
                buf_puts(&b, i ? "；" : "来源：");
                buf_puts(&b, str(s, "title"));
        }
        return buf_detach(&b);
}

/* A chart spec from the dataset's chart block, overridden by the fence's keys (may be
 * NULL). y points into json owned by ds or fence; the caller keeps both alive. */
static void spec_from(json_t *ds, const struct ynode *fence, struct chart_spec *spec,
                      const char **y)
{
        json_t *ch = json_object_get(ds, "chart");
        spec->type = json_object_get(ch, "type") ? str(ch, "type") : "bar";
        spec->x = str(ch, "x");
        spec->title = json_object_get(ch, "title") ? str(ch, "title") : str(ds, "title");
        spec->subtitle = json_object_get(ch, "subtitle") ? str(ch, "subtitle") : NULL;
        spec->ny = 0;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(ch, "y"), i, v) if (spec->ny < MAX_SERIES)
            y[spec->ny++] = json_string_value(v);
        spec->y = y;
        if (!fence)
                return;
        const struct ynode *n;
        if ((n = ynode_get(fence, "type")) && n->kind == YNODE_SCALAR)
                spec->type = n->text;
        if ((n = ynode_get(fence, "x")) && n->kind == YNODE_SCALAR)
                spec->x = n->text;
        if ((n = ynode_get(fence, "title")) && n->kind == YNODE_SCALAR)
                spec->title = n->text;
        if ((n = ynode_get(fence, "subtitle")) && n->kind == YNODE_SCALAR)
                spec->subtitle = n->text;
        if ((n = ynode_get(fence, "y"))) {
                spec->ny = 0;
                if (n->kind == YNODE_SCALAR)
                        y[spec->ny++] = n->text;
                else
                        for (size_t k = 0; k < n->nkids && spec->ny < MAX_SERIES; k++)
                                if (n->kids[k]->kind == YNODE_SCALAR)
                                        y[spec->ny++] = n->kids[k]->text;
        }
}

/* <figure>: its caption with source and dataset link, the chart, the table behind
 * <details>. */
static int figure(json_t *ds, const struct chart_spec *spec, const char *root, const char *id,
                  const char *path, int line, int col, struct buf *html, struct diag *d)
{
        struct buf svg = {0}, tbl = {0};
        char *source = source_line(ds);
        char *table_id = xasprintf("%s-table", id);
        struct table_spec ts = {spec->title, source[0] ? source : NULL, NULL, table_id, 1};
        int rc = chart_svg(main_table(ds), spec, path, line, col, &svg, d);
        if (rc == 0)
                rc = table_html(main_table(ds), &ts, path, line, col, &tbl, d);
        if (rc == 0) {
                /* The caption first: HTML allows a figcaption only as a figure's first or
                 * last child, and the <details> with the table comes after the chart. */
                buf_printf(html, "<figure class=\"chart-figure\" id=\"%s\">\n", id);
                buf_puts(html, "<figcaption><span class=\"chart-title\">");
                escape_html(html, spec->title, strlen(spec->title));
                buf_puts(html, "</span>");
                if (source[0]) {
                        buf_puts(html, " <span class=\"chart-source\">");
                        escape_html(html, source, strlen(source));
                        buf_puts(html, "</span>");
                }
                buf_puts(html, " <a class=\"chart-dataset\" href=\"");
                escape_html(html, root, strlen(root));
                escape_html(html, str(ds, "url"), strlen(str(ds, "url")));
                buf_puts(html, "\">数据集：");
                escape_html(html, str(ds, "title"), strlen(str(ds, "title")));
                buf_puts(html, "</a></figcaption>\n");
                buf_put(html, svg.data, svg.len);
                buf_puts(html, "\n<details class=\"chart-data\"><summary>查看图表数据"
                               "</summary>\n");
                buf_put(html, tbl.data, tbl.len);
                buf_puts(html, "</details>\n</figure>\n");
        }
        buf_free(&svg);
        buf_free(&tbl);
        free(source);
        free(table_id);
        return rc;
}

static int fence_chart(struct datapage_fence *f, const char *text, const char *path, int line,
                       struct buf *html, struct diag *d)
{
        static const char *const keys[] = {"dataset", "type", "x", "y", "title", "subtitle", NULL};
        struct ynode *y = yaml_load(text, strlen(text), path, line - 1, d);
        int rc = -1;
        if (!y)
                return -1;
        if (y->kind != YNODE_MAPPING) {
                diag_error(d, path, y->line, y->col,
                           "a chart block holds YAML keys: dataset, type, x, y, title");
                goto out;
        }
        if (ynode_check_keys(y, path, keys, d) < 0)
                goto out;
        const struct ynode *name = ynode_get(y, "dataset");
        const char *ds_name;
        if (!name) {
                diag_error(d, path, y->line, y->col, "a chart block needs dataset: NAME");
                goto out;
        }
        if (ynode_string(name, path, "dataset", d, &ds_name) < 0)
                goto out;
        json_t *ds = dataset_named(f->c, ds_name);
        if (!ds) {
                diag_error(d, path, name->line, name->col,
                           "unknown dataset '%s' (no content/data/%s/)", ds_name, ds_name);
                goto out;
        }
        struct chart_spec spec;
        const char *ys[MAX_SERIES];
        spec_from(ds, y, &spec, ys);
        char *id = xasprintf("chart-%d", ++f->count);
        spec.id = id;
        const struct ynode *at = ynode_get(y, "y") ? ynode_get(y, "y") : ynode_get(y, "x");
        if (!at)
                at = name;
        rc = figure(ds, &spec, f->root, id, path, at->line, at->col, html, d);
        free(id);
out:
        ynode_free(y);
        return rc;
}

static int fence_table(struct datapage_fence *f, const char *text, const char *path, int line,
                       struct buf *html, struct diag *d)
{
        const char *csv = text;
        char *caption = NULL;
        if (!strncmp(text, "caption:", 8)) {
                const char *nl = strchr(text, '\n');
                const char *s = text + 8;
                while (*s == ' ' || *s == '\t')
                        s++;
                caption = xstrndup(s, (size_t)((nl ? nl : s + strlen(s)) - s));
                csv = nl ? nl + 1 : s + strlen(s);
                line++;
        }
        json_t *table = dataset_parse_inline(path, line, csv, strlen(csv), d);
        int rc = -1;
        if (table) {
                char *id = xasprintf("table-%d", ++f->count);
                struct table_spec ts = {caption ? caption : "表格", NULL, NULL, id, 1};
                rc = table_html(table, &ts, path, line, 1, html, d);
                free(id);
        }
        json_decref(table);
        free(caption);
        return rc;
}

int datapage_fence(void *ctx, const char *info, const char *text, const char *path, int line,
                   struct buf *html, struct diag *d)
{
        struct datapage_fence *f = ctx;
        size_t n = strcspn(info, " \t");
        if (n == 5 && !strncmp(info, "chart", 5))
                return fence_chart(f, text, path, line, html, d);
        if (n == 5 && !strncmp(info, "table", 5))
                return fence_table(f, text, path, line, html, d);
        return 1;
}

/* "2.1 KB" or "532 字节". */
static void size_text(struct buf *out, size_t bytes)
{
        if (bytes < 1024)
                buf_printf(out, "%zu 字节", bytes);
        else if (bytes < 1024 * 1024)
                buf_printf(out, "%.1f KB", (double)bytes / 1024);
        else
                buf_printf(out, "%.1f MB", (double)bytes / (1024 * 1024));
}

/* The rows of the main table as objects keyed by field name: the JSON download. */
static json_t *json_download(json_t *ds)
{
        json_t *table = main_table(ds), *rows = json_array();
        json_t *fields = json_object_get(table, "fields");
        size_t i, j;
        json_t *row, *f;
        json_array_foreach(json_object_get(table, "rows"), i, row)
        {
                json_t *obj = json_object();
                json_array_foreach(fields, j, f)
                    json_object_set(obj, str(f, "name"), json_array_get(row, j));
                json_array_append_new(rows, obj);
        }
        return json_pack("{s:s, s:s, s:s, s:O, s:o}", "name", str(ds, "name"), "title",
                         str(ds, "title"), "unit", str(ds, "unit"), "fields", fields, "data", rows);
}

static int add_download(struct page_build *c, json_t *downloads, const char *rel, const char *label,
                        const char *format, const char *data, size_t len)
{
        struct buf b = {0}, size = {0};
        buf_put(&b, data, len);
        int rc = page_emit(c, rel, &b);
        size_text(&size, len);
        const char *file = strrchr(rel, '/');
        json_array_append_new(downloads, json_pack("{s:s, s:s, s:s, s:s, s:s}", "label", label,
                                                   "url", rel, "file", file ? file + 1 : rel,
                                                   "format", format, "size", buf_cstr(&size)));
        buf_free(&b);
        buf_free(&size);
        return rc;
}

/* Writes the downloads of ds and returns their list (caller decrefs), or NULL. */
static json_t *write_downloads(struct page_build *c, json_t *ds)
{
        json_t *downloads = json_array();
        int rc = 0;
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(ds, "resources"), i, r)
        {
                char *rel = xasprintf("%s%s", str(ds, "url"), str(r, "path"));
                const char *csv = str(r, "csv_text");
                if (add_download(c, downloads, rel, "CSV 表格", "CSV", csv, strlen(csv)) < 0)
                        rc = -1;
                free(rel);
        }
        json_t *j = json_download(ds);
        char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        char *rel = xasprintf("%s%s.json", str(ds, "url"), str(ds, "name"));
        if (add_download(c, downloads, rel, "JSON 数据", "JSON", text, strlen(text)) < 0)
                rc = -1;
        free(rel);
        free(text);
        json_decref(j);
        rel = xasprintf("%sdatapackage.json", str(ds, "url"));
        const char *pkg = str(ds, "descriptor_text");
        if (add_download(c, downloads, rel, "数据包描述（Frictionless Data Package）", "JSON", pkg,
                         strlen(pkg)) < 0)
                rc = -1;
        free(rel);
        if (rc < 0) {
                json_decref(downloads);
                return NULL;
        }
        return downloads;
}

/* "亿元 · 全国 · 2024年": the statistical subtitle. Caller frees. */
static char *subtitle(json_t *ds)
{
        struct buf b = {0};
        const char *parts[] = {str(ds, "region"), str(ds, "period"), NULL};
        if (*str(ds, "unit"))
                buf_printf(&b, "单位：%s", str(ds, "unit"));
        for (const char **p = parts; *p; p++)
                if (**p)
                        buf_printf(&b, "%s%s", b.len ? " · " : "", *p);
        return buf_detach(&b);
}

/* schema.org Dataset for the page, escaped for <script>. Caller frees. */
static char *dataset_jsonld(struct page_build *c, json_t *ds, json_t *downloads)
{
        char *url = page_abs_url(c, str(ds, "url"));
        json_t *dist = json_array();
        size_t i;
        json_t *dl;
        json_array_foreach(downloads, i, dl)
        {
                char *u = page_abs_url(c, str(dl, "url"));
                json_array_append_new(
                    dist,
                    json_pack("{s:s, s:s, s:s}", "@type", "DataDownload", "encodingFormat",
                              !strcmp(str(dl, "format"), "CSV") ? "text/csv" : "application/json",
                              "contentUrl", u));
                free(u);
        }
        json_t *ld = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:o}", "@context", "https://schema.org",
            "@type", "Dataset", "name", str(ds, "title"), "description",
            *str(ds, "description") ? str(ds, "description") : str(ds, "title"), "url", url,
            "inLanguage", str(c->cfg, "language"), "publisher", "@type", "Organization", "name",
            str(c->cfg, "title"), "distribution", dist);
        if (*str(ds, "region"))
                json_object_set_new(ld, "spatialCoverage", json_string(str(ds, "region")));
        if (*str(ds, "period"))
                json_object_set_new(ld, "temporalCoverage", json_string(str(ds, "period")));
        if (json_object_get(ds, "published"))
                json_object_set_new(ld, "datePublished", json_string(str(ds, "published")));
        if (json_object_get(ds, "updated"))
                json_object_set_new(ld, "dateModified", json_string(str(ds, "updated")));
        json_t *lic = json_array_get(json_object_get(ds, "licenses"), 0);
        if (*str(lic, "path"))
                json_object_set_new(ld, "license", json_string(str(lic, "path")));
        char *text = json_dumps(ld, JSON_COMPACT | JSON_PRESERVE_ORDER);
        struct buf b = {0};
        escape_script_json(&b, text, strlen(text));
        free(text);
        free(url);
        json_decref(ld);
        return buf_detach(&b);
}

/* The text summary: one paragraph per series of the dataset's chart. */
static int summaries(json_t *ds, struct buf *out, struct diag *d)
{
        struct chart_spec spec;
        const char *ys[MAX_SERIES];
        spec_from(ds, NULL, &spec, ys);
        for (size_t i = 0; i < spec.ny; i++)
                if (statsum_html(main_table(ds), spec.x, ys[i], str(ds, "descriptor"), 1, 1, out,
                                 d) < 0)
                        return -1;
        return 0;
}

static json_t *reasons_zh(json_t *revisions)
{
        json_t *out = json_deep_copy(revisions);
        size_t i;
        json_t *r;
        json_array_foreach(out, i, r) json_object_set_new(
            r, "reason_zh", json_string(!strcmp(str(r, "reason"), "correction") ? "更正" : "修订"));
        return out;
}

/* tbl itself (a new reference) when it has at most max rows, else a new table with its
 * fields and first max rows. Caller decrefs. */
static json_t *first_rows(json_t *tbl, size_t max)
{
        json_t *rows = json_object_get(tbl, "rows");
        if (json_array_size(rows) <= max)
                return json_incref(tbl);
        json_t *cut = json_array();
        for (size_t i = 0; i < max; i++)
                json_array_append(cut, json_array_get(rows, i));
        return json_pack("{s:O, s:o}", "fields", json_object_get(tbl, "fields"), "rows", cut);
}

static int write_dataset(struct page_build *c, json_t *ds)
{
        json_t *downloads = write_downloads(c, ds);
        if (!downloads)
                return -1;
        struct buf chart = {0}, table = {0}, summary = {0}, sha = {0};
        struct chart_spec spec;
        const char *ys[MAX_SERIES];
        spec_from(ds, NULL, &spec, ys);
        spec.id = "chart-main";
        char *source = source_line(ds);
        json_t *tbl = main_table(ds);
        size_t nrows = json_array_size(json_object_get(tbl, "rows"));
        bool charted = json_object_get(ds, "chart") && nrows <= CHART_MAX_ROWS;
        json_t *shown = first_rows(tbl, DATAPAGE_MAX_ROWS);
        char *caption = nrows > DATAPAGE_MAX_ROWS
                            ? xasprintf("%s（本页列出前%d行，共%zu行；完整数据请下载）",
                                        str(ds, "title"), DATAPAGE_MAX_ROWS, nrows)
                            : xstrdup(str(ds, "title"));
        struct table_spec ts = {caption, source[0] ? source : NULL, NULL, "data-table", 1};
        char *updated =
            json_object_get(ds, "updated") ? xasprintf("更新于%s", str(ds, "updated_zh")) : NULL;
        ts.updated = updated;
        int rc = 0;
        if (charted && (chart_svg(tbl, &spec, str(ds, "descriptor"), 1, 1, &chart, c->d) < 0 ||
                        summaries(ds, &summary, c->d) < 0))
                rc = -1;
        if (table_html(shown, &ts, str(ds, "descriptor"), 1, 1, &table, c->d) < 0)
                rc = -1;
        json_decref(shown);
        free(caption);
        char *sub = subtitle(ds);
        json_t *ctx = page_context(c, "dataset", str(ds, "url"), str(ds, "title"),
                                   *str(ds, "description") ? str(ds, "description") : sub);
        json_t *view = json_copy(ds); /* shallow: the rows stay shared */
        static const char *const drop[] = {"resources",  "descriptor_text", "dir",
                                           "descriptor", "articles",        NULL};
        for (const char *const *k = drop; *k; k++)
                json_object_del(view, *k);
        json_t *cards = json_array();
        size_t i;
        json_t *idx;
        json_array_foreach(json_object_get(ds, "articles"), i, idx)
            json_array_append_new(cards, page_card(page_article_at(c, idx)));
        json_object_set_new(view, "subtitle", json_string(sub));
        json_object_set_new(view, "chart", json_string(buf_cstr(&chart)));
        json_object_set_new(view, "table", json_string(buf_cstr(&table)));
        json_object_set_new(view, "summary", json_string(buf_cstr(&summary)));
        json_object_set_new(view, "downloads", downloads);
        json_object_set_new(view, "revisions", reasons_zh(json_object_get(ds, "revisions")));
        json_object_set_new(view, "has_revisions",
                            json_boolean(json_array_size(json_object_get(ds, "revisions"))));
        json_object_set_new(view, "has_articles", json_boolean(json_array_size(cards)));
        /* Flags for the template's <dl>: one <dt> per kind, then a <dd> per value. */
        json_object_set_new(view, "has_sources",
                            json_boolean(json_array_size(json_object_get(ds, "sources"))));
        json_object_set_new(view, "has_licenses",
                            json_boolean(json_array_size(json_object_get(ds, "licenses"))));
        json_object_set_new(view, "has_topics",
                            json_boolean(json_array_size(json_object_get(ds, "topics"))));
        json_object_set_new(view, "articles", cards);
        json_object_set_new(ctx, "dataset", view);
        char *ld = dataset_jsonld(c, ds, downloads);
        digest_sha256_base64(&sha, ld, strlen(ld));
        json_t *page = json_object_get(ctx, "page");
        json_object_set_new(page, "jsonld", json_string(ld));
        json_object_set_new(page, "jsonld_sha256", json_string(buf_cstr(&sha)));
        char *rel = page_index_file(str(ds, "url"));
        if (rc == 0 && page_write(c, "dataset", rel, ctx, NULL, true) < 0)
                rc = -1;
        else if (rc < 0)
                json_decref(ctx);
        free(rel);
        free(ld);
        free(sub);
        free(source);
        free(updated);
        buf_free(&chart);
        buf_free(&table);
        buf_free(&summary);
        buf_free(&sha);
        return rc;
}

/* The numbers of a dataset's first chart series, for its sparkline. Caller decrefs. */
static json_t *first_series(json_t *ds)
{
        struct chart_spec spec;
        const char *ys[MAX_SERIES];
        spec_from(ds, NULL, &spec, ys);
        json_t *table = main_table(ds), *values = json_array();
        size_t col = 0, i;
        json_t *f;
        json_array_foreach(json_object_get(table, "fields"), i,
                           f) if (spec.ny && !strcmp(str(f, "name"), ys[0])) col = i;
        json_t *row;
        json_array_foreach(json_object_get(table, "rows"), i, row)
            json_array_append(values, json_array_get(row, col));
        return values;
}

/* One index entry: title, url, period, update, sparkline. */
static json_t *index_entry(json_t *ds)
{
        struct buf spark = {0};
        json_t *values = first_series(ds);
        char *id = xasprintf("spark-%s", str(ds, "name"));
        if (chart_sparkline(values, str(ds, "title"), id, &spark) < 0)
                buf_reset(&spark);
        json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "title", str(ds, "title"), "url",
                              str(ds, "url"), "period", str(ds, "period"), "updated_zh",
                              str(ds, "updated_zh"), "description", str(ds, "description"),
                              "sparkline", buf_cstr(&spark));
        json_decref(values);
        free(id);
        buf_free(&spark);
        return e;
}

/* /data/: datasets grouped by their first topic, in site.yaml order; the rest last. */
static int write_index(struct page_build *c)
{
        json_t *groups = json_array(), *other = json_array();
        size_t i, j;
        json_t *t, *ds;
        json_array_foreach(json_object_get(c->model, "topics"), i, t)
        {
                json_t *list = json_array();
                json_array_foreach(json_object_get(c->model, "datasets"), j, ds)
                {
                        json_t *first = json_array_get(json_object_get(ds, "topics"), 0);
                        if (first && !strcmp(str(first, "slug"), str(t, "slug")))
                                json_array_append_new(list, index_entry(ds));
                }
                if (json_array_size(list))
                        json_array_append_new(groups,
                                              json_pack("{s:s, s:s, s:s, s:o}", "name",
                                                        str(t, "name"), "url", str(t, "url"), "id",
                                                        str(t, "slug"), "datasets", list));
                else
                        json_decref(list);
        }
        json_array_foreach(json_object_get(c->model, "datasets"), j,
                           ds) if (!json_array_size(json_object_get(ds, "topics")))
            json_array_append_new(other, index_entry(ds));
        if (json_array_size(other))
                json_array_append_new(groups, json_pack("{s:s, s:s, s:o}", "name", "其他", "id",
                                                        "other", "datasets", other));
        else
                json_decref(other);
        json_t *ctx = page_context(c, "data", "data/", "统计数据",
                                   "按专题浏览本站发布的统计数据：图表、数据表和下载");
        json_object_set_new(ctx, "groups", groups);
        json_object_set_new(
            ctx, "count",
            json_integer((json_int_t)json_array_size(json_object_get(c->model, "datasets"))));
        return page_write(c, "data", "data/index.html", ctx, NULL, true);
}

int datapage_write_all(struct page_build *c)
{
        int rc = write_index(c);
        size_t i;
        json_t *ds;
        json_array_foreach(json_object_get(c->model, "datasets"), i,
                           ds) if (write_dataset(c, ds) < 0) rc = -1;
        return rc;
}
