/* config: site.yaml. */
#include "config.h"
#include "buf.h"
#include "date.h"
#include "fsio.h"
#include "yaml.h"

#include <string.h>

bool config_is_slug(const char *s)
{
        size_t n = strlen(s);
        if (n == 0 || n > 100 || s[0] == '-' || s[0] == '_')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
                        return false;
        }
        return true;
}

/* Copies an optional string key into obj, or def when absent. Returns -1 on a wrong type. */
static int opt_string(const struct ynode *map, const char *key, const char *def, json_t *obj,
                      const char *path, struct diag *d)
{
        const struct ynode *n = ynode_get(map, key);
        const char *s = def;
        if (n && ynode_string(n, path, key, d, &s) < 0)
                return -1;
        if (s)
                json_object_set_new(obj, key, json_string(s));
        return 0;
}

/* base_url must be absolute http(s); its path becomes base_path. A missing final slash
 * is added so that joining paths never needs to think. */
static int load_base_url(const struct ynode *n, json_t *cfg, const char *path, struct diag *d)
{
        const char *s;
        if (ynode_string(n, path, "base_url", d, &s) < 0)
                return -1;
        const char *rest = !strncmp(s, "https://", 8)  ? s + 8
                           : !strncmp(s, "http://", 7) ? s + 7
                                                       : NULL;
        if (!rest || !*rest || *rest == '/' || strpbrk(s, " \t\"'<>\\?#")) {
                diag_error(d, path, n->line, n->col,
                           "base_url must be an absolute http(s) URL without query or fragment, "
                           "e.g. https://example.org/portal/");
                return -1;
        }
        const char *slash = strchr(rest, '/');
        char *url = xasprintf("%s%s", s, s[strlen(s) - 1] == '/' ? "" : "/");
        char *bpath = slash ? xasprintf("%s%s", slash, slash[strlen(slash) - 1] == '/' ? "" : "/")
                            : xstrdup("/");
        json_object_set_new(cfg, "base_url", json_string(url));
        json_object_set_new(cfg, "base_path", json_string(bpath));
        free(url);
        free(bpath);
        return 0;
}

static int load_topics(const struct ynode *n, json_t *cfg, const char *path, struct diag *d)
{
        static const char *const keys[] = {"name", "description", NULL};
        json_t *topics = json_array();
        json_object_set_new(cfg, "topics", topics);
        if (!n)
                return 0;
        if (n->kind != YNODE_MAPPING) {
                diag_error(d, path, n->line, n->col,
                           "topics must be a mapping of slug -> {name, description}");
                return -1;
        }
        int rc = 0;
        for (size_t i = 0; i + 1 < n->nkids; i += 2) {
                const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
                const char *slug, *name;
                if (ynode_string(k, path, "topic slug", d, &slug) < 0) {
                        rc = -1;
                        continue;
                }
                if (!config_is_slug(slug)) {
                        diag_error(d, path, k->line, k->col,
                                   "topic slug '%s' must use lowercase ASCII letters, digits "
                                   "and '-'",
                                   slug);
                        rc = -1;
                        continue;
                }
                if (v->kind != YNODE_MAPPING) {
                        diag_error(
                            d, path, v->line, v->col,
                            "topic '%s' must be a mapping with a name, e.g. name: \"医疗保障\"",
                            slug);
                        rc = -1;
                        continue;
                }
                if (ynode_check_keys(v, path, keys, d) < 0) {
                        rc = -1;
                        continue;
                }
                const struct ynode *nn = ynode_get(v, "name");
                if (!nn) {
                        diag_error(d, path, v->line, v->col, "topic '%s' has no name", slug);
                        rc = -1;
                        continue;
                }
                if (ynode_string(nn, path, "name", d, &name) < 0) {
                        rc = -1;
                        continue;
                }
                json_t *t = json_pack("{s:s, s:s}", "slug", slug, "name", name);
                if (opt_string(v, "description", "", t, path, d) < 0)
                        rc = -1;
                json_array_append_new(topics, t);
        }
        return rc;
}

static int load_navigation(const struct ynode *n, json_t *cfg, const char *path, struct diag *d)
{
        static const char *const keys[] = {"title", "url", NULL};
        json_t *nav = json_array();
        json_object_set_new(cfg, "navigation", nav);
        if (!n)
                return 0;
        if (n->kind != YNODE_SEQUENCE) {
                diag_error(d, path, n->line, n->col,
                           "navigation must be a list of {title, url} entries");
                return -1;
        }
        int rc = 0;
        for (size_t i = 0; i < n->nkids; i++) {
                const struct ynode *e = n->kids[i];
                const struct ynode *t = ynode_get(e, "title"), *u = ynode_get(e, "url");
                const char *title, *url;
                if (e->kind != YNODE_MAPPING || !t || !u) {
                        diag_error(d, path, e->line, e->col,
                                   "a navigation entry needs a title and a url");
                        rc = -1;
                        continue;
                }
                if (ynode_check_keys(e, path, keys, d) < 0 ||
                    ynode_string(t, path, "title", d, &title) < 0 ||
                    ynode_string(u, path, "url", d, &url) < 0) {
                        rc = -1;
                        continue;
                }
                json_array_append_new(nav, json_pack("{s:s, s:s}", "title", title, "url", url));
        }
        return rc;
}

json_t *config_load(const char *path, struct diag *d)
{
        struct buf text = {0};
        json_t *cfg = NULL;
        if (fsio_read(path, &text, d) == 0)
                cfg = config_parse(path, buf_cstr(&text), text.len, d);
        buf_free(&text);
        return cfg;
}

json_t *config_parse(const char *path, const char *text, size_t len, struct diag *d)
{
        static const char *const keys[] = {"title",      "description", "base_url",  "language",
                                           "timezone",   "per_page",    "feed_size", "topics",
                                           "navigation", NULL};
        struct ynode *root = NULL;
        json_t *cfg = NULL;
        int rc = 0;
        root = yaml_load(text, len, path, 0, d);
        if (!root)
                goto out;
        if (root->kind != YNODE_MAPPING) {
                diag_error(d, path, root->line, root->col, "site.yaml must be a mapping of keys");
                goto out;
        }
        cfg = json_object();
        if (ynode_check_keys(root, path, keys, d) < 0)
                rc = -1;
        const struct ynode *title = ynode_get(root, "title"), *base = ynode_get(root, "base_url");
        if (!title) {
                diag_error(d, path, 1, 1, "missing required key 'title'");
                rc = -1;
        } else if (opt_string(root, "title", NULL, cfg, path, d) < 0)
                rc = -1;
        if (!base) {
                diag_error(d, path, 1, 1,
                           "missing required key 'base_url' (e.g. https://example.org/portal/)");
                rc = -1;
        } else if (load_base_url(base, cfg, path, d) < 0)
                rc = -1;
        if (opt_string(root, "description", "", cfg, path, d) < 0 ||
            opt_string(root, "language", "zh-CN", cfg, path, d) < 0 ||
            opt_string(root, "timezone", "+08:00", cfg, path, d) < 0)
                rc = -1;
        int offset = 480;
        const struct ynode *tz = ynode_get(root, "timezone");
        if (tz && json_object_get(cfg, "timezone") &&
            date_parse_offset(json_string_value(json_object_get(cfg, "timezone")), &offset) < 0) {
                diag_error(d, path, tz->line, tz->col,
                           "timezone must be an offset such as +08:00 or Z");
                rc = -1;
        }
        json_object_set_new(cfg, "tz_offset", json_integer(offset));
        long per_page = 10, feed_size = 20;
        const struct ynode *n;
        if ((n = ynode_get(root, "per_page")) &&
            ynode_int(n, path, "per_page", 1, 1000, d, &per_page) < 0)
                rc = -1;
        if ((n = ynode_get(root, "feed_size")) &&
            ynode_int(n, path, "feed_size", 1, 1000, d, &feed_size) < 0)
                rc = -1;
        json_object_set_new(cfg, "per_page", json_integer(per_page));
        json_object_set_new(cfg, "feed_size", json_integer(feed_size));
        if (load_topics(ynode_get(root, "topics"), cfg, path, d) < 0)
                rc = -1;
        if (load_navigation(ynode_get(root, "navigation"), cfg, path, d) < 0)
                rc = -1;
out:
        if (rc < 0 || !root) {
                json_decref(cfg);
                cfg = NULL;
        }
        ynode_free(root);
        return cfg;
}
