/* main: the gen command line. The only place that exits. */
#include "buf.h"
#include "diag.h"
#include "tmpl.h"

#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_VERSION "0.1.0"

enum { EXIT_OK = 0, EXIT_CONTENT = 1, EXIT_USAGE = 2 };

static void usage(FILE *f)
{
        fprintf(f, "usage: gen render-template TEMPLATE.mustache DATA.json [--partials DIR]\n");
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

int main(int argc, char **argv)
{
        if (argc < 2) {
                usage(stderr);
                return EXIT_USAGE;
        }
        struct diag *d = diag_new();
        int rc;
        if (!strcmp(argv[1], "render-template"))
                rc = cmd_render_template(argc - 2, argv + 2, d);
        else if (!strcmp(argv[1], "--version")) {
                printf("gen %s\n", GEN_VERSION);
                rc = EXIT_OK;
        } else
                rc = EXIT_USAGE;
        diag_flush(d, stderr);
        if (rc == EXIT_USAGE)
                usage(stderr);
        diag_free(d);
        return rc;
}
