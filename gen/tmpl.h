/* tmpl: the Mustache template engine (the official spec: comments, delimiters,
 * interpolation, sections, inverted sections, partials, dynamic names and inheritance;
 * lambdas are not supported). Data is jansson's json_t. {{x}} escapes for HTML.
 *
 * A library holds templates by name; a name N is the source registered with
 * tmpl_lib_add, else the file N.mustache in the library's directory. Templates are
 * compiled once, on first use. Rendering from several threads at once is safe.
 *
 * Data model: false, null, a missing name, "" and the empty array are falsey (as in
 * mustache.js); everything else (including 0 and {}) is truthy. Numbers print as integers
 * or as the shortest decimal that reads back as the same double (1.21 -> "1.21"); true/false print
 * as "true"/"false"; null, arrays and objects print as nothing. Partial and parent names may
 * contain '/', but not "..", a leading '/', a backslash or control characters. Blocks passed to a
 * parent
 * ({{<p}}{{$b}}...{{/b}}{{/p}}) also override blocks of the partials that p includes. */
#ifndef GONGBAO_TMPL_H
#define GONGBAO_TMPL_H

#include "buf.h"
#include "diag.h"

#include <jansson.h>
#include <stdbool.h>

/* Nesting limits: sections in one template, and partials/parents while rendering. */
#define TMPL_MAX_SECTION_DEPTH 100
#define TMPL_MAX_PARTIAL_DEPTH 64
/* Work limits of one tmpl_render: steps of the interpreter (a node run, a list item
 * entered) and bytes written. Sections over lists nested in each other, or partials that
 * include each other twice, multiply the work; past these limits the render stops with
 * an error instead of running for hours. A page of the default theme takes well under
 * 1% of either. */
#define TMPL_MAX_STEPS  10000000UL
#define TMPL_MAX_OUTPUT (512UL << 20)

struct tmpl_lib;

/* Returns a new library reading NAME.mustache from dir (dir may be NULL: only sources
 * added with tmpl_lib_add). Caller frees with tmpl_lib_free. */
struct tmpl_lib *tmpl_lib_new(const char *dir);
void tmpl_lib_free(struct tmpl_lib *lib);

/* Strict mode (for site builds): a partial or parent that is not found is an error,
 * "partial 'x' not found (looked for DIR/x.mustache)", at the tag. Not strict (the
 * default, as the spec asks): it renders as the empty string. Set before rendering. */
void tmpl_lib_strict(struct tmpl_lib *lib, bool strict);

/* Lowers (or raises) the work limits of renders from lib: steps and output bytes, 0 for the
 * default TMPL_MAX_STEPS / TMPL_MAX_OUTPUT. Set before rendering (tests and fuzzing). */
void tmpl_lib_limits(struct tmpl_lib *lib, unsigned long steps, size_t bytes);

/* Registers src (len bytes, copied) under name; path is what diagnostics call it.
 * Call before rendering from the library (it replaces an earlier source of that name). */
void tmpl_lib_add(struct tmpl_lib *lib, const char *name, const char *path, const char *src,
                  size_t len);

/* Compiles name and every partial and parent it names statically; reports each error
 * as path:line:col (in strict mode, a partial or parent not found too). Returns 0 or -1. */
int tmpl_lib_check(struct tmpl_lib *lib, const char *name, struct diag *d) WUR;

/* Renders template name with ctx as the root context, appending to out.
 * Returns 0, or -1 after reporting the error (unclosed tag, missing partial,
 * recursion past TMPL_MAX_PARTIAL_DEPTH, ...) to d; out is then left as it was. */
int tmpl_render(struct tmpl_lib *lib, const char *name, json_t *ctx, struct buf *out,
                struct diag *d) WUR;

#endif
