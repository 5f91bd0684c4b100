/* main: the gen command line. The only place that exits. */
#include "buf.h"
#include "cache.h"
#include "config.h"
#include "content.h"
#include "date.h"
#include "diag.h"
#include "fsio.h"
#include "import.h"
#include "lint.h"
#include "output.h"
#include "pool.h"
#include "quick.h"
#include "render.h"
#include "site.h"
#include "tmpl.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <fcntl.h>
#include <jansson.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define GEN_VERSION "0.1.0"

enum { EXIT_OK = 0, EXIT_CONTENT = 1, EXIT_USAGE = 2 };

static void usage(FILE *f)
{
        fprintf(
            f,
            "usage: gen build [--content DIR] [--templates DIR] [--static DIR] [--out DIR]\n"
            "                 [--drafts] [--dev] [--no-cache] [--jobs N] [--now DATE] [--strict]\n"
            "       gen check [--content DIR] [--templates DIR] [--static DIR] [--drafts] "
            "[--now DATE]\n"
            "       gen new article TITLE [--content DIR] [--slug SLUG]\n"
            "       gen import FILE... [--source NAME] [--date YYYY-MM-DD] [--into DIR]\n"
            "       gen render-template TEMPLATE.mustache DATA.json [--partials DIR]\n"
            "       gen --help | --version\n"
            "\n"
            "build   renders content/ with templates/ into site/ (replaced atomically)\n"
            "check   validates everything a build would, and writes nothing\n"
            "new     starts a draft article with its front matter\n"
            "import  splits newspaper pages (text) into draft articles and a report\n"
            "exit status: 0 ok, 1 content errors, 2 usage\n");
}

/* The options of build and check. */
struct build_args {
        const char *content, *templates, *static_dir, *out;
        bool drafts, dev, check;
        int jobs;        /* 0: one per online CPU */
        const char *now; /* --now: the moment the site is built for */
        bool strict;     /* --strict: content warnings are errors */
        bool no_cache;   /* --no-cache: render every body, read and keep no cache */
};

/* Parses build/check options. Returns 0, or -1 on a usage error. */
static int parse_build_args(int argc, char **argv, struct build_args *a)
{
        for (int i = 0; i < argc; i++) {
                const char *o = argv[i];
                const char **slot = !strcmp(o, "--content")     ? &a->content
                                    : !strcmp(o, "--templates") ? &a->templates
                                    : !strcmp(o, "--static")    ? &a->static_dir
                                    : !strcmp(o, "--out")       ? &a->out
                                                                : NULL;
                if (slot && i + 1 < argc)
                        *slot = argv[++i];
                else if (!strcmp(o, "--drafts"))
                        a->drafts = true;
                else if (!strcmp(o, "--now") && i + 1 < argc)
                        a->now = argv[++i];
                else if (!strcmp(o, "--strict"))
                        a->strict = true;
                else if (!strcmp(o, "--no-cache"))
                        a->no_cache = true;
                else if (!strcmp(o, "--jobs") && i + 1 < argc) {
                        char *end;
                        long n = strtol(argv[++i], &end, 10);
                        if (*end || n < 1 || n > 64) {
                                fprintf(stderr, "gen: --jobs takes a number from 1 to 64\n");
                                return -1;
                        }
                        a->jobs = (int)n;
                } else if (!strcmp(o, "--dev"))
                        a->dev = true;
                else {
                        fprintf(stderr, "gen: unknown or incomplete option '%s'\n", o);
                        return -1;
                }
        }
        return 0;
}

static double seconds_since(const struct timespec *t0)
{
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The moment the site is built for: --now (RFC 3339, or seconds since the epoch), else
 * SOURCE_DATE_EPOCH (reproducible builds), else the clock. Scheduled and expiring
 * articles are judged against it. Returns 0, or -1 after reporting a bad --now. */
static int build_time(const char *arg, int tz, int64_t *now, struct diag *d)
{
        const char *src = arg ? arg : getenv("SOURCE_DATE_EPOCH");
        if (!src) {
                *now = (int64_t)time(NULL);
                return 0;
        }
        char *end;
        long long v = strtoll(src, &end, 10);
        if (*src && !*end) {
                *now = v;
                return 0;
        }
        struct gdate g;
        const char *why;
        if (arg && date_parse(arg, tz, &g, &why) == 0) {
                *now = g.epoch;
                return 0;
        }
        diag_error(d, NULL, 0, 0, "%s '%s' is not a date such as 2025-01-20T10:00:00+08:00",
                   arg ? "--now" : "SOURCE_DATE_EPOCH", src);
        return -1;
}

/* How much of the heap is in transparent huge pages now (see exec_with_huge_pages), in
 * KB; 0 when unknown. */
static long huge_pages_kb(void)
{
        FILE *f = fopen("/proc/self/smaps_rollup", "re");
        char line[256];
        long kb = 0;
        while (f && fgets(line, sizeof line, f))
                if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
                        break;
        if (f)
                fclose(f);
        return kb;
}

/* With GONGBAO_TIMING set, prints how long the stage that just ended took (since
 * *since, which moves on). */
static void timing(const char *stage, struct timespec *since)
{
        static double cpu_before; /* user+sys CPU at the end of the last stage */
        if (!getenv("GONGBAO_TIMING"))
                return;
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        /* CPU beside wall time: a stage that scales badly in wall time but not in CPU is
         * waiting (the disk, too few threads), not working */
        double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        fprintf(stderr, "gen: %-10s %.3f s  cpu %.3f s  (peak RSS %ld MB, %ld MB in huge pages)\n",
                stage,
                (double)(t.tv_sec - since->tv_sec) + (double)(t.tv_nsec - since->tv_nsec) / 1e9,
                cpu - cpu_before, ru.ru_maxrss / 1024, huge_pages_kb() / 1024);
        cpu_before = cpu;
        *since = t;
}

/* What a build leaves to the end of the process: the model and the content, 300,000
 * jansson values at 10,000 articles, which took 0.07 s to free one by one after a
 * rebuild of 1.2 s; the process's end takes their pages back at once. Only main.c exits,
 * and only after cmd_build has returned. Kept reachable from here, so leak checkers
 * (valgrind, LeakSanitizer) do not count them as lost. */
static json_t *volatile left_for_exit[2]; /* volatile: never read, but must be stored */

/* Checks every template the site uses before anything is rendered. */
static int check_templates(struct tmpl_lib *lib, struct diag *d)
{
        int rc = 0;
        for (const char *const *t = render_templates; *t; t++)
                if (tmpl_lib_check(lib, *t, d) < 0)
                        rc = -1;
        return rc;
}

/* What a quick record must have been made with (quick_opts): the folders and the options
 * that change the output. */
static void build_opts(const struct build_args *a, unsigned char out[32])
{
        const char *const parts[] = {a->content,
                                     a->templates,
                                     a->static_dir,
                                     a->out,
                                     a->drafts ? "drafts" : "",
                                     a->dev ? "dev" : "",
                                     a->strict ? "strict" : ""};
        quick_opts(out, parts, sizeof parts / sizeof *parts);
}

static int64_t realtime_ns(void)
{
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The first moment after now at which an article of content is published or expires
 * (INT64_MAX: none): until then the same articles are published. */
static int64_t next_event(json_t *content, int64_t now)
{
        int64_t next = INT64_MAX;
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(content, "articles"), i, e)
        {
                static const char *const keys[] = {"date_epoch", "expires_epoch"};
                for (size_t k = 0; k < 2; k++) {
                        json_t *v = json_object_get(e, keys[k]);
                        if (v && json_integer_value(v) > now && json_integer_value(v) < next)
                                next = json_integer_value(v);
                }
        }
        return next;
}

/* The quick rebuild (quick.h): when the record of the last build shows that only the
 * bodies of some articles changed since, builds just what they change. Returns 1 when it
 * built and published the site, 0 when the whole build must run (nothing was changed),
 * -1 when publishing failed (reported to d). */
static int try_quick(const struct build_args *a, json_t *cfg, struct tmpl_lib *lib,
                     struct cache *cache, const char *media, int jobs, int64_t started,
                     struct render_stats *stats, long *written, long *kept, struct diag *d)
{
        struct quick q;
        const char *env = getenv("GONGBAO_QUICK");
        if (env && !strcmp(env, "off")) {
                if (getenv("GONGBAO_TIMING"))
                        fprintf(stderr, "gen: quick: off (GONGBAO_QUICK=off)\n");
                return 0;
        }
        if (!cache || quick_load(&q, cache) < 0) {
                if (getenv("GONGBAO_TIMING"))
                        fprintf(stderr, "gen: quick: no record of the last build\n");
                return 0;
        }
        int rc = 0;
        const char **edited = NULL, *why = NULL;
        unsigned char opts[32];
        build_opts(a, opts);
        struct stat st;
        int64_t now;
        struct diag *quiet = diag_new();
        struct output *o = NULL;
        if (memcmp(q.opts, opts, sizeof opts))
                why = "other options";
        else if (lstat(a->out, &st) < 0 || (uint64_t)st.st_ino != q.site_ino)
                why = "the published site is not the one recorded";
        else if (build_time(a->now, (int)json_integer_value(json_object_get(cfg, "tz_offset")),
                            &now, quiet) < 0 ||
                 now < q.from || now >= q.until)
                why = "an article is published or expires in between";
        else if (quick_changed(&q, &edited) < 0)
                why = "a file other than an article changed, or one was added or removed";
        else if (quick_load_model(&q, cache) < 0)
                why = "no record of the last build's model";
        else if (!(o = output_begin(a->out, quiet)))
                why = "the output folder";
        else if (render_quick(cfg, &q, edited, lib, o,
                              &(struct render_opts){a->static_dir, media, a->dev, jobs, cache,
                                                    a->templates, NULL},
                              stats, &why) != 0) {
                output_abort(o);
                *stats = (struct render_stats){0}; /* the whole build counts afresh */
        } else {
                output_counts(o, written, kept);
                rc = output_commit(o, d) < 0 ? -1 : 1;
        }
        if (getenv("GONGBAO_TIMING"))
                fprintf(stderr, "gen: quick: %s\n",
                        rc    ? "the edited bodies alone built"
                        : why ? why
                              : "not taken");
        if (rc > 0 && lstat(a->out, &st) == 0) {
                q.site_ino = (uint64_t)st.st_ino;
                for (size_t i = 0; edited[i]; i++)
                        quick_restat(&q, edited[i], started);
                quick_save(&q, cache);
        }
        free(edited);
        diag_free(quiet);
        quick_free(&q);
        return rc;
}

/* Keeps the quick record of a whole build that published the site without a message. */
static void save_quick(const struct build_args *a, struct quick *q, struct cache *cache,
                       json_t *content, int64_t now, int64_t started)
{
        struct stat st;
        if (!q->nart || lstat(a->out, &st) < 0)
                return;
        build_opts(a, q->opts);
        q->site_ino = (uint64_t)st.st_ino;
        q->from = now;
        q->until = next_event(content, now);
        char *articles = xasprintf("%s/articles", a->content);
        quick_add_inputs(q, a->content, articles, started);
        quick_add_inputs(q, a->templates, NULL, started);
        quick_add_inputs(q, a->static_dir, NULL, started);
        free(articles);
        quick_save(q, cache);
}

/* gen build / gen check: load, model, render, and (build) swap into the output folder. */
static int cmd_build(int argc, char **argv, bool check, struct diag *d)
{
        struct build_args a = {"content", "templates", "static", "site", false, false,
                               check,     0,           NULL,     false,  false};
        if (parse_build_args(argc, argv, &a) < 0)
                return EXIT_USAGE;
        struct timespec t0, start;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        start = t0;
        char *site_yaml = xasprintf("%s/site.yaml", a.content);
        char *media = xasprintf("%s/media", a.content);
        json_t *cfg = NULL, *content = NULL, *model = NULL;
        struct tmpl_lib *lib = NULL;
        struct output *o = NULL;
        struct cache *cache = NULL;
        struct render_stats stats = {0};
        long written = 0, kept = 0, hits = 0, misses = 0;
        struct quick record = {0}; /* what this build leaves the next quick rebuild */
        bool quick_built = false;
        int64_t started = realtime_ns();
        int rc = EXIT_CONTENT;
        if (!fsio_is_dir(a.content)) {
                diag_error(d, a.content, 0, 0, "no such content folder");
                goto out;
        }
        if (!fsio_is_dir(a.templates)) {
                diag_error(d, a.templates, 0, 0, "no such templates folder");
                goto out;
        }
        cfg = config_load(site_yaml, d);
        lib = tmpl_lib_new(a.templates);
        tmpl_lib_strict(lib, true);
        int templates_ok = check_templates(lib, d) == 0;
        if (!cfg)
                goto out;
        int jobs = a.jobs ? a.jobs : pool_default_jobs();
        if (!check && !a.no_cache) {
                char *salt = json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS);
                cache = cache_open(a.content, salt ? salt : "");
                free(salt);
                timing("cache", &t0);
        }
        if (templates_ok && cache && !diag_errors(d) && !diag_warnings(d)) {
                int quick = try_quick(&a, cfg, lib, cache, media, jobs, started, &stats, &written,
                                      &kept, d);
                timing("quick", &t0);
                if (quick) {
                        quick_built = quick > 0;
                        rc = quick > 0 ? EXIT_OK : EXIT_CONTENT;
                        goto out;
                }
        }
        size_t remembered = 0;
        content = content_load_cached(a.content, cfg, jobs, cache, &remembered, d);
        timing("load", &t0);
        if (getenv("GONGBAO_TIMING") && cache)
                fprintf(stderr, "gen: load: %zu files remembered (not read again)\n", remembered);
        if (!content || !templates_ok)
                goto out;
        int warnings = lint_content_cached(content, a.drafts, a.strict, jobs, cache, d);
        timing("lint", &t0);
        if ((a.strict && warnings) || diag_errors(d))
                goto out;
        int64_t now;
        if (build_time(a.now, (int)json_integer_value(json_object_get(cfg, "tz_offset")), &now, d) <
            0)
                goto out;
        model = site_build_jobs(cfg, content, a.drafts, now, jobs, d);
        timing("model", &t0);
        if (!model)
                goto out;
        if (!check && !(o = output_begin(a.out, d)))
                goto out;
        struct render_opts opts = {a.static_dir, media, a.dev, jobs, cache, a.templates, &record};
        if (render_site(cfg, model, lib, o, &opts, &stats, d) < 0)
                goto out;
        timing("render", &t0);
        if (o) {
                output_counts(o, &written, &kept);
                int committed = output_commit(o, d);
                timing("publish", &t0);
                o = NULL;
                if (committed < 0)
                        goto out;
                if (cache && !diag_errors(d) && !diag_warnings(d)) {
                        save_quick(&a, &record, cache, content, now, started);
                        timing("record", &t0);
                }
        }
        rc = EXIT_OK;
out:
        output_abort(o);
        cache_counts(cache, &hits, &misses);
        if (quick_built) { /* every body but the edited ones is the published page's */
                hits = stats.briefed;
                misses = stats.bodies - stats.briefed;
        }
        /* a quick rebuild used only the edited bodies' entries: the others stay */
        cache_close(cache, rc == EXIT_OK && !quick_built);
        quick_free(&record);
        diag_flush(d, stderr); /* the messages first, then what they add up to */
        if (rc == EXIT_OK && check)
                fprintf(
                    stderr,
                    "gen: checked %zu articles, %ld pages, %ld feeds: no errors, %d warning%s\n",
                    json_array_size(json_object_get(model, "articles")), stats.pages, stats.feeds,
                    diag_warnings(d), diag_warnings(d) == 1 ? "" : "s");
        else if (rc == EXIT_OK)
                fprintf(stderr,
                        "built %ld pages, %ld feeds in %.2f s, %d warning%s; %ld files written, "
                        "%ld unchanged; %ld of %ld bodies from the cache\n",
                        stats.pages, stats.feeds, seconds_since(&start), diag_warnings(d),
                        diag_warnings(d) == 1 ? "" : "s", written, kept, hits, hits + misses);
        if (rc != EXIT_OK && diag_errors(d))
                fprintf(stderr, "gen: %d error%s; %s\n", diag_errors(d),
                        diag_errors(d) == 1 ? "" : "s",
                        check ? "fix them and run again" : "the previous site is unchanged");
        /* the process ends next, and its end takes the model's pages back at once (see
         * left_for_exit) */
        left_for_exit[0] = model;
        left_for_exit[1] = content;
        json_decref(cfg);
        tmpl_lib_free(lib);
        free(site_yaml);
        free(media);
        return rc;
}

/* gen import FILE... [--source NAME] [--date DATE] [--into DIR]: splits newspaper pages
 * (plain UTF-8 text) into draft articles, with a report beside them; see import.h. */
static int cmd_import(int argc, char **argv, struct diag *d)
{
        struct import_opts o = {0};
        o.out = stdout;
        int files = 0;
        for (int i = 0; i < argc; i++) {
                const char **slot = !strcmp(argv[i], "--source") ? &o.source
                                    : !strcmp(argv[i], "--date") ? &o.date
                                    : !strcmp(argv[i], "--into") ? &o.into
                                                                 : NULL;
                if (slot && i + 1 < argc)
                        *slot = argv[++i];
                else if (!strcmp(argv[i], "--help")) {
                        printf("usage: gen import FILE... [--source NAME] [--date YYYY-MM-DD] "
                               "[--into DIR]\n"
                               "splits newspaper pages (UTF-8 text) into draft articles in DIR\n"
                               "(default content/articles/imported) and writes beside them a "
                               "report of what was\nchanged and what to check; never overwrites "
                               "a file\n");
                        return EXIT_OK;
                } else if (slot || argv[i][0] == '-') {
                        fprintf(stderr, "gen: unknown or incomplete option '%s'\n", argv[i]);
                        return EXIT_USAGE;
                } else
                        files++;
        }
        if (!files)
                return EXIT_USAGE;
        int rc = EXIT_OK;
        for (int i = 0; i < argc; i++) {
                if (!strcmp(argv[i], "--source") || !strcmp(argv[i], "--date") ||
                    !strcmp(argv[i], "--into"))
                        i++;
                else if (import_file(argv[i], &o, d) < 0)
                        rc = EXIT_CONTENT;
        }
        return rc;
}

/* An ASCII slug for a new article: the title's ASCII letters and digits, else
 * "article-YYYYMMDD". */
static char *new_slug(const char *title, const struct gdate_fields *f)
{
        struct buf b = {0};
        int dash = 0;
        for (const unsigned char *p = (const unsigned char *)title; *p; p++) {
                unsigned char ch = *p;
                if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                    (ch >= 'A' && ch <= 'Z')) {
                        if (dash && b.len)
                                buf_putc(&b, '-');
                        buf_putc(&b, (char)(ch | (ch >= 'A' && ch <= 'Z' ? 0x20 : 0)));
                        dash = 0;
                } else
                        dash = 1;
                if (b.len > 60)
                        break;
        }
        if (!b.len)
                buf_printf(&b, "article-%04d%02d%02d", f->year, f->month, f->day);
        return buf_detach(&b);
}

/* Escapes a string for a double-quoted YAML scalar. */
static void yaml_quote(struct buf *out, const char *s)
{
        buf_putc(out, '"');
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        buf_putc(out, '\\');
                if (*s == '\n') {
                        buf_puts(out, " ");
                        continue;
                }
                buf_putc(out, *s);
        }
        buf_putc(out, '"');
}

/* gen new article TITLE: writes content/articles/YEAR/SLUG.md as a draft; never
 * overwrites (a number is added to the slug instead). */
static int cmd_new(int argc, char **argv, struct diag *d)
{
        const char *content = "content", *title = NULL, *slug_opt = NULL;
        if (argc < 1 || strcmp(argv[0], "article"))
                return EXIT_USAGE;
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--content") && i + 1 < argc)
                        content = argv[++i];
                else if (!strcmp(argv[i], "--slug") && i + 1 < argc)
                        slug_opt = argv[++i];
                else if (!title)
                        title = argv[i];
                else
                        return EXIT_USAGE;
        }
        if (!title || !*title)
                return EXIT_USAGE;
        if (slug_opt && !config_is_slug(slug_opt)) {
                diag_error(d, NULL, 0, 0,
                           "slug '%s' must use lowercase ASCII letters, digits and '-'", slug_opt);
                return EXIT_CONTENT;
        }
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        struct gdate now = {sde ? strtoll(sde, NULL, 10) : (int64_t)time(NULL), 480};
        struct gdate_fields f;
        date_fields(&now, &f);
        char *slug = slug_opt ? xstrdup(slug_opt) : new_slug(title, &f);
        char *dir = xasprintf("%s/articles/%04d", content, f.year);
        char *path = NULL;
        for (int n = 1; n < 1000; n++) {
                free(path);
                path = n == 1 ? xasprintf("%s/%s.md", dir, slug)
                              : xasprintf("%s/%s-%d.md", dir, slug, n);
                struct stat st;
                if (lstat(path, &st) < 0 && errno == ENOENT)
                        break;
        }
        struct buf text = {0}, date = {0};
        date_rfc3339(&date, &now);
        buf_puts(&text, "---\ntitle: ");
        yaml_quote(&text, title);
        buf_printf(&text,
                   "\ndate: %s\ndraft: true\ntopics: []\ntags: []\nsource: \"\"\n---\n\n"
                   "在这里写正文。\n",
                   buf_cstr(&date));
        int rc = EXIT_CONTENT;
        int fd = -1;
        if (fsio_mkdirs(dir) < 0)
                diag_error(d, dir, 0, 0, "cannot create folder: %s", strerror(errno));
        else if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0)
                diag_error(d, path, 0, 0, "cannot create: %s", strerror(errno));
        else if (write(fd, text.data, text.len) != (ssize_t)text.len || close(fd) < 0)
                diag_error(d, path, 0, 0, "cannot write: %s", strerror(errno));
        else {
                printf("%s\n", path);
                rc = EXIT_OK;
        }
        buf_free(&text);
        buf_free(&date);
        free(slug);
        free(dir);
        free(path);
        return rc;
}

/* gen render-template T.mustache DATA.json [--partials DIR]: renders one template to
 * stdout, for template authors and the Mustache spec test. Partials are DIR/NAME.mustache
 * (default: the template's own directory). */
static int cmd_render_template(int argc, char **argv, struct diag *d)
{
        const char *tpath = NULL, *dpath = NULL, *pdir = NULL;
        for (int i = 0; i < argc; i++) {
                if (!strcmp(argv[i], "--partials") && i + 1 < argc)
                        pdir = argv[++i];
                else if (!tpath)
                        tpath = argv[i];
                else if (!dpath)
                        dpath = argv[i];
                else
                        return EXIT_USAGE;
        }
        if (!tpath || !dpath)
                return EXIT_USAGE;
        char *tcopy = xstrdup(tpath);
        char *dir = pdir ? xstrdup(pdir) : xstrdup(dirname(tcopy));
        struct tmpl_lib *lib = tmpl_lib_new(dir);
        struct buf src = {0}, out = {0};
        json_t *data = NULL;
        int rc = EXIT_CONTENT;
        FILE *f = fopen(tpath, "rb");
        if (!f) {
                diag_error(d, tpath, 0, 0, "cannot read template");
                goto out;
        }
        char chunk[65536];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
                buf_put(&src, chunk, n);
        fclose(f);
        json_error_t err;
        data = json_load_file(dpath, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
        if (!data) {
                diag_error(d, dpath, err.line, err.column, "%s", err.text);
                goto out;
        }
        tmpl_lib_add(lib, "\x01main", tpath, buf_cstr(&src), src.len);
        if (tmpl_render(lib, "\x01main", data, &out, d) < 0)
                goto out;
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
        rc = fflush(stdout) ? EXIT_CONTENT : EXIT_OK;
out:
        json_decref(data);
        buf_free(&src);
        buf_free(&out);
        tmpl_lib_free(lib);
        free(dir);
        free(tcopy);
        return rc;
}

#if !defined(__SANITIZE_ADDRESS__)
/* The file this code was mapped from: the gen binary. Not /proc/self/exe, which names
 * the loader when gen was started as "ld.so gen ...". Caller frees; NULL when unknown
 * (no /proc, or the binary was replaced since). */
static char *program_file(void)
{
        FILE *f = fopen("/proc/self/maps", "re");
        if (!f)
                return NULL;
        uintptr_t at = (uintptr_t)&program_file;
        char line[PATH_MAX + 128], *path = NULL;
        while (!path && fgets(line, sizeof line, f)) {
                uintptr_t lo, hi;
                int off = 0;
                if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %*s %*s %*s %*s %n", &lo, &hi, &off) !=
                        2 ||
                    !off || at < lo || at >= hi)
                        continue;
                char *p = line + off;
                p[strcspn(p, "\n")] = '\0';
                if (p[0] == '/' && !strstr(p, " (deleted)"))
                        path = xstrdup(p);
                break;
        }
        fclose(f);
        return path;
}
#endif

/* glibc maps its heap in pages of 4 KB and asks for transparent huge pages only when the
 * GLIBC_TUNABLES environment variable says so, which it reads when the process starts
 * (mallopt has no such setting). On this project's virtual machine a page fault costs
 * microseconds of hypervisor work, and a build takes 30,000 (a rebuild) to 250,000 faults:
 * with huge pages a same-input rebuild of 10,000 articles went from 1.66 to 1.12 s and a
 * clean build from 4.3 to 3.5 s, at the same peak RSS (docs/PERFORMANCE.md, item 30). So
 * a build executes itself once more with glibc.malloc.hugetlb=1 added. Not when the
 * variable already names it (the user's value stands), under valgrind (the new image
 * would run outside it, unchecked), or with a sanitizer's allocator. Returns only when
 * it does not (or cannot) execute itself. */
static void exec_with_huge_pages(char **argv)
{
#if defined(__SANITIZE_ADDRESS__)
        (void)argv;
#else
        static const char knob[] = "glibc.malloc.hugetlb";
        const char *tunables = getenv("GLIBC_TUNABLES"), *preload = getenv("LD_PRELOAD");
        if ((tunables && strstr(tunables, knob)) || (preload && strstr(preload, "vgpreload")))
                return;
        char *value = tunables && tunables[0] ? xasprintf("%s:%s=1", tunables, knob)
                                              : xasprintf("%s=1", knob);
        char *self = program_file();
        if (self && setenv("GLIBC_TUNABLES", value, 1) == 0)
                execv(self, argv);
        free(self); /* not executed: run on as we are, with the variable set or not */
        free(value);
#endif
}

int main(int argc, char **argv)
{
        if (argc >= 2 && (!strcmp(argv[1], "build") || !strcmp(argv[1], "check")))
                exec_with_huge_pages(argv);
        signal(SIGXFSZ, SIG_IGN); /* a write past the limit fails with EFBIG and is reported */
#ifdef M_MMAP_THRESHOLD
        /* glibc raises the size from which it maps a block on its own, up to 32 MB, once a
         * mapped block is freed: the buffers of megabytes a build makes and frees (memos,
         * manifests, the search index's pieces) then stayed in the heap after their free,
         * and a build peaked 8 MB higher. A fixed threshold keeps them mapped and gives them
         * back. Not lower: below 1 MB, bodies and pages were mapped, and each one's pages
         * faulted in afresh (+1 s of CPU in 7). A fixed threshold also fixes the one for
         * trimming the heap's top at 128 KB, which made it shrink and grow again all along:
         * 64 MB. */
        mallopt(M_MMAP_THRESHOLD, 1 << 20);
        mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
        if (argc < 2) {
                usage(stderr);
                return EXIT_USAGE;
        }
        struct diag *d = diag_new();
        int rc;
        if (!strcmp(argv[1], "build"))
                rc = cmd_build(argc - 2, argv + 2, false, d);
        else if (!strcmp(argv[1], "check"))
                rc = cmd_build(argc - 2, argv + 2, true, d);
        else if (!strcmp(argv[1], "new"))
                rc = cmd_new(argc - 2, argv + 2, d);
        else if (!strcmp(argv[1], "import"))
                rc = cmd_import(argc - 2, argv + 2, d);
        else if (!strcmp(argv[1], "render-template"))
                rc = cmd_render_template(argc - 2, argv + 2, d);
        else if (!strcmp(argv[1], "--version")) {
                printf("gen %s\n", GEN_VERSION);
                rc = EXIT_OK;
        } else if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
                usage(stdout);
                rc = EXIT_OK;
        } else {
                fprintf(stderr, "gen: unknown command '%s'\n", argv[1]);
                rc = EXIT_USAGE;
        }
        diag_flush(d, stderr);
        if (rc == EXIT_USAGE)
                usage(stderr);
        diag_free(d);
        return rc;
}
