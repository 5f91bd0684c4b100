/* Unit tests for tmpl: escaping, numbers, UTF-8, errors with line:col, limits, strict
 * mode, inheritance with templates read from a directory, and renders from 4 threads. */
#include "check.h"
#include "tmpl.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The result of one render: output (or NULL on failure) and the diagnostics printed. */
struct result {
        char *out;
        char *diag;
};

static void result_free(struct result *r)
{
        free(r->out);
        free(r->diag);
}

/* Returns what diag_flush prints for d. Caller frees with free(). */
static char *flush_to_string(struct diag *d)
{
        char *s = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&s, &n);
        diag_flush(d, f);
        fclose(f);
        return s;
}

/* Renders name from lib with the JSON text data. */
static struct result render_lib(struct tmpl_lib *lib, const char *name, const char *data)
{
        struct result r = {0};
        json_error_t err;
        json_t *ctx = json_loads(data, JSON_DECODE_ANY, &err);
        struct diag *d = diag_new();
        struct buf out = {0};
        if (!ctx) {
                fprintf(stderr, "bad test JSON: %s\n", err.text);
                exit(2);
        }
        if (tmpl_render(lib, name, ctx, &out, d) == 0)
                r.out = buf_detach(&out);
        buf_free(&out);
        r.diag = flush_to_string(d);
        diag_free(d);
        json_decref(ctx);
        return r;
}

/* Renders the template src (called t.mustache) with data; no directory. */
static struct result render(const char *src, const char *data)
{
        struct tmpl_lib *lib = tmpl_lib_new(NULL);
        tmpl_lib_add(lib, "t", "t.mustache", src, strlen(src));
        struct result r = render_lib(lib, "t", data);
        tmpl_lib_free(lib);
        return r;
}

/* Checks that src renders as want. */
static void check_render(const char *src, const char *data, const char *want, const char *name)
{
        struct result r = render(src, data);
        CHECK_STR(r.out, want, name);
        result_free(&r);
}

/* Checks that src fails with a diagnostic containing each of the two strings. */
static void check_error(const char *src, const char *data, const char *where, const char *what,
                        const char *name)
{
        struct result r = render(src, data);
        bool ok = !r.out && r.diag && strstr(r.diag, where) && strstr(r.diag, what);
        if (!ok)
                printf("  diagnostics: %s\n", r.diag ? r.diag : "(none)");
        CHECK(ok, name);
        result_free(&r);
}

static char tmpdir[] = "/tmp/test_tmpl.XXXXXX";

static void write_file(const char *name, const char *text)
{
        char path[512];
        snprintf(path, sizeof path, "%s/%s", tmpdir, name);
        FILE *f = fopen(path, "wb");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
                perror(path);
                exit(2);
        }
}

static void remove_file(const char *name)
{
        char path[512];
        snprintf(path, sizeof path, "%s/%s", tmpdir, name);
        unlink(path);
}

static void test_interpolation(void)
{
        check_render("{{x}}", "{\"x\": \"& < > \\\" '\"}", "&amp; &lt; &gt; &quot; &#39;",
                     "escape: {{x}} escapes & < > \" '");
        check_render("{{{x}}}|{{&x}}", "{\"x\": \"<b>&'\"}", "<b>&'|<b>&'",
                     "escape: {{{x}}} and {{&x}} are raw");
        check_render("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
                     "{\"a\": 85, \"b\": 1.21, \"c\": -3, \"d\": 0.30000000000000004, \"e\": "
                     "1e300, \"f\": 2.0}",
                     "85 1.21 -3 0.30000000000000004 1e+300 2", "numbers: shortest round trip");
        check_render("[{{t}}|{{f}}|{{n}}|{{o}}|{{l}}|{{missing}}]",
                     "{\"t\": true, \"f\": false, \"n\": null, \"o\": {}, \"l\": [1]}",
                     "[true|false||||]", "values: booleans, null, objects, arrays, missing");
        check_render("标题：{{t}}，{{#list}}「{{.}}」{{/list}}",
                     "{\"t\": \"中文 ✓\", \"list\": [\"甲\", \"乙\"]}",
                     "标题：中文 ✓，「甲」「乙」", "utf-8 passes through");
        check_render("{{a.b.c}}|{{#a}}{{b.c}}{{/a}}|{{a.x.c}}",
                     "{\"a\": {\"b\": {\"c\": \"deep\"}}}", "deep|deep|", "dotted names");
        check_render("{{#s}}[{{.}}]{{/s}}{{^e}}none{{/e}}{{#z}}zero{{/z}}{{#str}}str{{/str}}",
                     "{\"s\": [1, \"two\"], \"e\": [], \"z\": 0, \"str\": \"\"}",
                     "[1][two]nonezero", "sections: lists, empty list; 0 truthy, \"\" falsey");
        check_render("{{=<% %>=}}<% x %>{{x}}", "{\"x\": \"y\"}", "y{{x}}", "set delimiters");

        /* Replacing a partial that a compiled template already uses. */
        struct tmpl_lib *lib = tmpl_lib_new(NULL);
        tmpl_lib_add(lib, "p", "p.mustache", "A", 1);
        tmpl_lib_add(lib, "t", "t.mustache", "[{{>p}}]", 8);
        struct result r = render_lib(lib, "t", "{}");
        CHECK_STR(r.out, "[A]", "partials: registered source");
        result_free(&r);
        tmpl_lib_add(lib, "p", "p.mustache", "B", 1);
        r = render_lib(lib, "t", "{}");
        CHECK_STR(r.out, "[B]", "partials: replaced source is used");
        result_free(&r);
        tmpl_lib_free(lib);
}

static void test_errors(void)
{
        check_error("a\n  {{#sec}}\nb\n", "{}", "t.mustache:2:3:", "unclosed section 'sec'",
                    "error: unclosed section at line:col");
        check_error("{{#a}}\n{{#b}}\nx {{/a}}\n", "{}",
                    "t.mustache:3:3:", "mismatched closing tag 'a'",
                    "error: mismatched closing tag at line:col");
        check_error("ok\n\n   {{name\n", "{}", "t.mustache:3:4:", "unclosed tag",
                    "error: unclosed tag at line:col");
        check_error("中文{{{x}}", "{}", "t.mustache:1:3:", "unclosed tag",
                    "error: unclosed triple mustache, column counts characters");
        check_error("x\n{{/a}}", "{}", "t.mustache:2:1:", "closes nothing",
                    "error: closing tag without opening");
        check_error("{{=<% =}}", "{}", "t.mustache:1:1:", "bad set-delimiter tag",
                    "error: bad set-delimiter tag");
        check_error("{{ }}", "{}", "t.mustache:1:1:", "empty tag name", "error: empty tag");
        check_error("{{a b}}", "{}", "t.mustache:1:1:", "bad tag name", "error: space in name");
        check_error("{{<p}}{{x}}{{/p}}", "{}", "t.mustache:1:7:", "only blocks",
                    "error: interpolation directly inside a parent");
        check_error("ab{{>../secret}}", "{}", "t.mustache:1:3:", "bad partial name '../secret'",
                    "error: partial name with .. rejected");
        check_error("{{>/etc/passwd}}", "{}", "t.mustache:1:1:", "bad partial name",
                    "error: partial name with leading / rejected");
        check_error("{{>a\\b}}", "{}", "t.mustache:1:1:", "bad partial name",
                    "error: partial name with backslash rejected");
        check_error("x{{>*p}}", "{\"p\": \"../../etc/passwd\"}",
                    "t.mustache:1:2:", "bad partial name",
                    "error: dynamic partial name with .. rejected");

        /* Sections nested TMPL_MAX_SECTION_DEPTH deep compile; one more does not. */
        struct buf src = {0};
        for (int i = 0; i < TMPL_MAX_SECTION_DEPTH; i++)
                buf_puts(&src, "{{#a}}");
        buf_puts(&src, "x");
        for (int i = 0; i < TMPL_MAX_SECTION_DEPTH; i++)
                buf_puts(&src, "{{/a}}");
        check_render(buf_cstr(&src), "{\"a\": true}", "x", "depth: 100 nested sections render");
        buf_reset(&src);
        for (int i = 0; i <= TMPL_MAX_SECTION_DEPTH; i++)
                buf_puts(&src, "{{#a}}");
        buf_puts(&src, "x");
        for (int i = 0; i <= TMPL_MAX_SECTION_DEPTH; i++)
                buf_puts(&src, "{{/a}}");
        check_error(buf_cstr(&src), "{}", "t.mustache:1:601:", "nested more than 100 deep",
                    "depth: 101 nested sections are a compile error");
        buf_free(&src);

        /* Deep data needs no deep C stack. */
        struct buf data = {0};
        for (int i = 0; i < 1000; i++)
                buf_puts(&data, "{\"a\":");
        buf_puts(&data, "1");
        for (int i = 0; i < 1000; i++)
                buf_puts(&data, "}");
        check_render("{{#a}}{{#a}}{{#a}}{{a.a.a}}{{/a}}{{/a}}{{/a}}|{{b}}", buf_cstr(&data), "|",
                     "deep data renders");
        buf_free(&data);
}

static void test_partials(void)
{
        struct tmpl_lib *lib = tmpl_lib_new(tmpdir);
        struct result r;

        write_file("loop.mustache", "x{{>loop}}");
        r = render_lib(lib, "loop", "{}");
        CHECK(!r.out && strstr(r.diag, "loop.mustache:1:2:") &&
                  strstr(r.diag, "nested more than 64 deep"),
              "depth: a partial including itself forever is an error at the tag");
        result_free(&r);

        write_file("ploop.mustache", "\n {{<ploop}}{{$a}}b{{/a}}{{/ploop}}");
        r = render_lib(lib, "ploop", "{}");
        CHECK(!r.out && strstr(r.diag, "ploop.mustache:2:2:") &&
                  strstr(r.diag, "nested more than 64 deep"),
              "depth: a parent including itself forever is an error at the tag");
        result_free(&r);

        /* A recursive partial that ends is fine (the spec's Recursion test, deeper). */
        write_file("node.mustache", "{{n}}({{#kids}}{{>node}}{{/kids}})");
        r = render_lib(lib, "node",
                       "{\"n\":1,\"kids\":[{\"n\":2,\"kids\":[{\"n\":3,\"kids\":[]}]},{\"n\":4,"
                       "\"kids\":false}]}");
        CHECK_STR(r.out, "1(2(3())4())", "partials: recursion that ends");
        result_free(&r);

        /* Missing partial: empty unless strict. */
        write_file("usesmissing.mustache", "a\n  {{>nope}}\nb");
        r = render_lib(lib, "usesmissing", "{}");
        CHECK_STR(r.out, "a\nb", "partials: missing renders empty when not strict");
        result_free(&r);
        tmpl_lib_strict(lib, true);
        r = render_lib(lib, "usesmissing", "{}");
        char want[600];
        snprintf(want, sizeof want,
                 "usesmissing.mustache:2:3: error: partial 'nope' not found (looked for "
                 "%s/nope.mustache)",
                 tmpdir);
        CHECK(!r.out && strstr(r.diag, want), "partials: missing is an error when strict");
        if (r.out || !strstr(r.diag, want))
                printf("  got: %s  want: %s\n", r.diag, want);
        result_free(&r);

        struct diag *d = diag_new();
        CHECK(tmpl_lib_check(lib, "usesmissing", d) == -1 && diag_errors(d) == 1,
              "check: reports a missing partial when strict");
        diag_free(d);
        tmpl_lib_strict(lib, false);
        d = diag_new();
        CHECK(tmpl_lib_check(lib, "usesmissing", d) == 0 && diag_errors(d) == 0,
              "check: a missing partial is fine when not strict");
        diag_free(d);

        write_file("broken.mustache", "ok\n{{#x}}");
        write_file("usesbroken.mustache", "{{#never}}{{>broken}}{{/never}}");
        struct diag *d2 = diag_new();
        CHECK(tmpl_lib_check(lib, "usesbroken", d2) == -1, "check: finds errors in partials");
        char *msg = flush_to_string(d2);
        CHECK(strstr(msg, "broken.mustache:2:1: error: unclosed section 'x'") != NULL,
              "check: partial's error has its own path:line:col");
        free(msg);
        diag_free(d2);

        r = render_lib(lib, "no-such-template", "{}");
        CHECK(!r.out && strstr(r.diag, "template 'no-such-template' not found"),
              "render: a missing template is an error");
        result_free(&r);

        /* The output buffer is left as it was after an error. */
        struct buf out = {0};
        buf_puts(&out, "before");
        struct diag *d3 = diag_new();
        json_t *ctx = json_object();
        CHECK(tmpl_render(lib, "loop", ctx, &out, d3) == -1 && !strcmp(buf_cstr(&out), "before"),
              "render: output restored after an error");
        json_decref(ctx);
        diag_free(d3);
        buf_free(&out);

        tmpl_lib_free(lib);
        remove_file("loop.mustache");
        remove_file("ploop.mustache");
        remove_file("node.mustache");
        remove_file("usesmissing.mustache");
        remove_file("broken.mustache");
        remove_file("usesbroken.mustache");
}

#define LAYOUT                                                                                     \
        "<!doctype html>\n"                                                                        \
        "<title>{{$title}}站点{{/title}}</title>\n"                                              \
        "<body>\n"                                                                                 \
        "  {{>header}}\n"                                                                          \
        "  <main>\n"                                                                               \
        "    {{$main}}{{/main}}\n"                                                                 \
        "  </main>\n"                                                                              \
        "</body>\n"
#define HEADER "<header>{{site}}</header>\n"
#define CARD                                                                                       \
        "<div class=\"card\">\n  "                                                                 \
        "<h{{$level}}2{{/level}}>{{title}}</h{{$level}}2{{/level}}>\n</div>\n"
#define PAGE                                                                                       \
        "{{<layout}}{{$title}}{{page.title}} - 站点{{/title}}{{$main}}\n"                        \
        "<h1>{{page.title}}</h1>\n"                                                                \
        "{{#items}}\n"                                                                             \
        "{{<card}}{{$level}}3{{/level}}{{/card}}\n"                                                \
        "{{/items}}\n"                                                                             \
        "{{^items}}\n"                                                                             \
        "<p>无</p>\n"                                                                             \
        "{{/items}}\n"                                                                             \
        "{{/main}}{{/layout}}\n"
#define PAGE_DATA                                                                                  \
        "{\"site\": \"公开信息\", \"page\": {\"title\": \"新闻 & 公告\"}, "                \
        "\"items\": [{\"title\": \"第一\"}, {\"title\": \"<第二>\"}]}"
#define PAGE_OUT                                                                                   \
        "<!doctype html>\n"                                                                        \
        "<title>新闻 &amp; 公告 - 站点</title>\n"                                            \
        "<body>\n"                                                                                 \
        "  <header>公开信息</header>\n"                                                        \
        "  <main>\n"                                                                               \
        "    <h1>新闻 &amp; 公告</h1>\n"                                                       \
        "    <div class=\"card\">\n"                                                               \
        "      <h3>第一</h3>\n"                                                                  \
        "    </div>\n"                                                                             \
        "    <div class=\"card\">\n"                                                               \
        "      <h3>&lt;第二&gt;</h3>\n"                                                          \
        "    </div>\n"                                                                             \
        "\n"                                                                                       \
        "  </main>\n"                                                                              \
        "</body>\n"

static void test_inheritance(void)
{
        write_file("layout.mustache", LAYOUT);
        write_file("header.mustache", HEADER);
        write_file("card.mustache", CARD);
        write_file("page.mustache", PAGE);
        struct tmpl_lib *lib = tmpl_lib_new(tmpdir);
        tmpl_lib_strict(lib, true);
        struct diag *d = diag_new();
        CHECK(tmpl_lib_check(lib, "page", d) == 0, "inheritance: check passes");
        diag_free(d);
        struct result r = render_lib(lib, "page", PAGE_DATA);
        CHECK_STR(r.out, PAGE_OUT,
                  "inheritance: layout from a directory, blocks with "
                  "sections and parents");
        result_free(&r);
        r = render_lib(lib, "page", PAGE_DATA);
        CHECK_STR(r.out, PAGE_OUT, "inheritance: second render is the same");
        result_free(&r);
        r = render_lib(lib, "page", "{\"site\": \"s\", \"page\": {\"title\": \"t\"}}");
        CHECK(r.out && strstr(r.out, "    <p>无</p>\n"), "inheritance: inverted in a block");
        result_free(&r);
        r = render_lib(lib, "layout", "{\"site\": \"s\"}");
        CHECK(r.out && strstr(r.out, "<title>站点</title>"), "inheritance: block default");
        result_free(&r);

        /* The data is not modified. */
        json_t *ctx = json_loads(PAGE_DATA, 0, NULL);
        char *before = json_dumps(ctx, JSON_SORT_KEYS);
        struct buf out = {0};
        d = diag_new();
        CHECK(tmpl_render(lib, "page", ctx, &out, d) == 0, "render: into a caller's buffer");
        char *after = json_dumps(ctx, JSON_SORT_KEYS);
        CHECK(!strcmp(before, after) && ctx->refcount == 1, "render: context left unchanged");
        free(before);
        free(after);
        json_decref(ctx);
        buf_free(&out);
        diag_free(d);
        tmpl_lib_free(lib);
}

struct job {
        struct tmpl_lib *lib;
        json_t *ctx;
        int ok;
};

static void *worker(void *arg)
{
        struct job *j = arg;
        struct buf out = {0};
        struct diag *d = diag_new();
        for (int i = 0; i < 200; i++) {
                buf_reset(&out);
                if (tmpl_render(j->lib, "page", j->ctx, &out, d) == 0 &&
                    !strcmp(buf_cstr(&out), PAGE_OUT))
                        j->ok++;
        }
        buf_free(&out);
        diag_free(d);
        return NULL;
}

static void test_threads(void)
{
        /* A fresh library, so the threads also race to compile the templates. */
        struct tmpl_lib *lib = tmpl_lib_new(tmpdir);
        json_t *ctx = json_loads(PAGE_DATA, 0, NULL);
        pthread_t th[4];
        struct job jobs[4];
        for (int i = 0; i < 4; i++) {
                jobs[i] = (struct job){lib, ctx, 0};
                pthread_create(&th[i], NULL, worker, &jobs[i]);
        }
        int ok = 0;
        for (int i = 0; i < 4; i++) {
                pthread_join(th[i], NULL);
                ok += jobs[i].ok;
        }
        CHECK(ok == 800, "threads: 4 threads x 200 renders of one library agree");
        json_decref(ctx);
        tmpl_lib_free(lib);
        remove_file("layout.mustache");
        remove_file("header.mustache");
        remove_file("card.mustache");
        remove_file("page.mustache");
}

int main(void)
{
        if (!mkdtemp(tmpdir)) {
                perror("mkdtemp");
                return 2;
        }
        test_interpolation();
        test_errors();
        test_partials();
        test_inheritance();
        test_threads();
        rmdir(tmpdir);
        return check_exit();
}
