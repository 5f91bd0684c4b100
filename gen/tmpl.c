/* tmpl: the Mustache template engine.
 *
 * Implements the official Mustache spec: comments, set delimiters, interpolation,
 * sections, inverted sections, partials, the optional inheritance module (parents and
 * blocks, with the block reindentation rules) and the optional dynamic names module
 * ({{>*name}} and {{<*name}}). Lambdas are NOT supported: the data is JSON, which has
 * no functions, so the ~lambdas part of the spec does not apply.
 *
 * A template is compiled once into a flat array of nodes: a section, parent or block
 * node is followed by its children and records in `end` the index just past them.
 * Compiling has three passes over a token list: matching open and close tags, the
 * standalone-line rules, and building the nodes (dropping the whitespace the standalone
 * rules remove and the intrinsic indentation of blocks passed to parents).
 *
 * Rendering is an interpreter with explicit stacks (frames, contexts, block arguments)
 * kept in one struct per call, so deep data or deep nesting costs heap, not C stack;
 * the nesting is bounded by TMPL_MAX_SECTION_DEPTH per template and
 * TMPL_MAX_PARTIAL_DEPTH partials. Compiled templates are never changed once they can
 * be reached by a render, so renders share them without locking; the library's mutex
 * guards only the lookup, loading, compiling and linking of templates.
 *
 * Indentation: a standalone partial, parent or block prepends its indentation to every
 * line it expands; output tracks whether it is at the beginning of a line only while
 * some indentation is active, so plain templates pay nothing for it.
 */
#include "tmpl.h"
#include "escape.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum op { OP_TEXT, OP_VAR, OP_RAW, OP_SECTION, OP_INVERTED, OP_PARTIAL, OP_PARENT, OP_BLOCK };

/* A dotted name split at compile time; nparts == 0 is the implicit iterator ".". */
struct key {
        char *buf;    /* the parts' storage, NUL-separated */
        char **parts; /* nparts pointers into buf */
        int nparts;
};

struct tmpl;

struct node {
        enum op op;
        bool dynamic;        /* PARTIAL/PARENT: the name is looked up in the data */
        bool standalone;     /* PARTIAL/PARENT/BLOCK: stands alone, so indent applies */
        int line, col;       /* of the tag, for diagnostics */
        size_t end;          /* SECTION/INVERTED/PARENT/BLOCK: index past the children */
        const char *text;    /* TEXT: bytes in the template's source */
        size_t len;          /* TEXT: byte count */
        const char *indent;  /* PARTIAL/PARENT/BLOCK: prepended to each expanded line */
        size_t indent_len;   /* its length */
        const char *lead;    /* BLOCK: whitespace written before its default content */
        size_t lead_len;     /* its length */
        char *name;          /* static PARTIAL/PARENT: template; BLOCK: block name */
        struct key key;      /* VAR/RAW/SECTION/INVERTED, dynamic PARTIAL/PARENT */
        struct tmpl *target; /* static PARTIAL/PARENT, once linked */
};

enum state { T_NEW, T_OK, T_ERROR, T_MISSING };

/* One template of a library: its source, and once compiled its nodes or its error. */
struct tmpl {
        char *name;
        char *path;         /* what diagnostics call it; the file read; NULL if none */
        char *src;          /* the source (nodes point into it); NULL until read */
        size_t srclen;      /* its length */
        enum state state;   /* T_MISSING: no file (or not readable) */
        bool linked;        /* static partials/parents resolved, transitively */
        unsigned mark;      /* visit mark of tmpl_lib_check */
        struct node *nodes; /* the program */
        size_t nnodes;      /* its length */
        int err_line;       /* T_ERROR: where */
        int err_col;        /* T_ERROR: where */
        char *err_msg;      /* T_ERROR: what */
        struct tmpl *next;  /* the library's list */
};

struct tmpl_lib {
        char *dir;           /* where NAME.mustache files are, or NULL */
        bool strict;         /* a missing partial or parent is an error */
        unsigned long steps; /* work limit of one render: interpreter steps */
        size_t bytes;        /* and bytes written */
        pthread_mutex_t mu;  /* guards the list and every template not yet linked */
        struct tmpl *list;   /* every template looked up so far, missing ones included */
        unsigned mark;       /* last visit mark used */
};

/* ---------------------------------------------------------------------------------- */
/* Names */

/* True when name may be looked up as a file under the library's directory. */
static bool name_ok(const char *name)
{
        if (!*name || name[0] == '/' || strstr(name, ".."))
                return false;
        for (const unsigned char *p = (const unsigned char *)name; *p; p++)
                if (*p < 0x20 || *p == 0x7f || *p == '\\')
                        return false;
        return true;
}

/* Returns a copy of name fit for a message: control characters become '?', long names
 * are cut. Caller frees with free(). */
static char *printable(const char *name)
{
        size_t n = strlen(name);
        if (n > 200)
                n = 200;
        char *s = xstrndup(name, n);
        for (char *p = s; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        *p = '?';
        return s;
}

/* Splits the dotted name s[0..n) into k. */
static void key_init(struct key *k, const char *s, size_t n)
{
        k->buf = NULL;
        k->parts = NULL;
        k->nparts = 0;
        if (n == 1 && s[0] == '.')
                return;
        k->buf = xstrndup(s, n);
        int parts = 1;
        for (size_t i = 0; i < n; i++)
                if (s[i] == '.')
                        parts++;
        k->parts = xmalloc((size_t)parts * sizeof *k->parts);
        char *p = k->buf;
        k->parts[k->nparts++] = p;
        for (; *p; p++) {
                if (*p == '.') {
                        *p = '\0';
                        k->parts[k->nparts++] = p + 1;
                }
        }
}

/* Frees what key_init allocated. */
static void key_free(struct key *k)
{
        free(k->buf);
        free(k->parts);
}

/* ---------------------------------------------------------------------------------- */
/* Compiling */

enum tkind { K_TEXT, K_TAG };

/* A token: a run of text (split after each newline) or a tag. */
struct tok {
        enum tkind kind;
        char sigil;      /* tags: # ^ / ! = > < $ & { or 0 for a plain variable */
        bool dynamic;    /* > < /: the name began with '*' */
        bool arg;        /* $ and its /: a block directly inside a parent */
        bool drop;       /* text: removed (standalone rule, or inside a parent) */
        bool standalone; /* > < $: the tag or element stands alone (indentation) */
        bool eol;        /* $ (arg): the tag ends its line */
        size_t a, b;     /* text: bytes [a, b); tags: the whole tag */
        size_t na, nb;   /* tags: the name, trimmed, without the '*' */
        size_t match;    /* open and close tags: the partner's index */
        size_t ia, ib;   /* > < $: indentation, raw, as bytes [ia, ib) of the source */
        size_t la, lb;   /* $ (parameter): stripped leading whitespace [la, lb) */
        int line, col;   /* of the tag */
};

struct comp {
        const char *s; /* the source */
        size_t n;      /* its length */
        struct tok *toks;
        size_t ntoks, captoks;
        size_t tpos;        /* line/col tracking: position reached */
        int tline, tcol;    /* line and column at tpos */
        struct node *nodes; /* the output */
        size_t nnodes, capnodes;
        int err_line, err_col;
        char *err; /* the first error, or NULL */
};

/* Records the first compile error (at line:col) and returns -1. */
static int cerr(struct comp *c, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int cerr(struct comp *c, int line, int col, const char *fmt, ...)
{
        if (!c->err) {
                struct buf b = {0};
                va_list ap;
                va_start(ap, fmt);
                buf_vprintf(&b, fmt, ap);
                va_end(ap);
                c->err = buf_detach(&b);
                c->err_line = line;
                c->err_col = col;
        }
        return -1;
}

/* Advances line/column tracking to pos (never backwards). Columns count UTF-8
 * characters, so a tag after Chinese text gets the column an editor shows. */
static void track(struct comp *c, size_t pos)
{
        for (; c->tpos < pos; c->tpos++) {
                unsigned char ch = (unsigned char)c->s[c->tpos];
                if (ch == '\n') {
                        c->tline++;
                        c->tcol = 1;
                } else if ((ch & 0xC0) != 0x80) {
                        c->tcol++;
                }
        }
}

/* Returns a new zeroed token at the end of the list. */
static struct tok *push_tok(struct comp *c)
{
        if (c->ntoks == c->captoks) {
                c->captoks = c->captoks ? c->captoks * 2 : 64;
                c->toks = xrealloc(c->toks, c->captoks * sizeof *c->toks);
        }
        struct tok *k = &c->toks[c->ntoks++];
        memset(k, 0, sizeof *k);
        return k;
}

/* Adds text [a, b) as tokens that each end after a newline or at b. */
static void push_text(struct comp *c, size_t a, size_t b)
{
        while (a < b) {
                const char *nl = memchr(c->s + a, '\n', b - a);
                size_t e = nl ? (size_t)(nl - c->s) + 1 : b;
                struct tok *k = push_tok(c);
                k->kind = K_TEXT;
                k->a = a;
                k->b = e;
                a = e;
        }
}

/* Whitespace inside tags. */
static bool is_space(char ch)
{
        return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Returns the first position >= from where needle (nlen bytes) occurs, or SIZE_MAX. */
static size_t find(const struct comp *c, size_t from, const char *needle, size_t nlen)
{
        if (from > c->n || nlen > c->n - from)
                return SIZE_MAX;
        const char *p = memmem(c->s + from, c->n - from, needle, nlen);
        return p ? (size_t)(p - c->s) : SIZE_MAX;
}

/* Parses a set-delimiter tag's content [a, b) into new delimiters (pointers into the
 * source). Returns 0, or -1 when it is not two whitespace-free delimiters. */
static int parse_delims(struct comp *c, size_t a, size_t b, const char **open, size_t *olen,
                        const char **close, size_t *clen)
{
        const char *s = c->s;
        while (a < b && is_space(s[a]))
                a++;
        while (b > a && is_space(s[b - 1]))
                b--;
        size_t o = a;
        while (a < b && !is_space(s[a]))
                a++;
        size_t oe = a;
        while (a < b && is_space(s[a]))
                a++;
        size_t cl = a;
        while (a < b && !is_space(s[a]))
                a++;
        if (a != b || oe == o || cl == b)
                return -1;
        if (memchr(s + o, '=', oe - o) || memchr(s + cl, '=', b - cl))
                return -1;
        *open = s + o;
        *olen = oe - o;
        *close = s + cl;
        *clen = b - cl;
        return 0;
}

/* Pass 1: splits the source into text and tag tokens, following set-delimiter tags.
 * Returns 0 or -1 (error recorded). */
static int tokenize(struct comp *c)
{
        const char *s = c->s;
        const char *open = "{{", *close = "}}";
        size_t olen = 2, clen = 2, pos = 0;
        char closing[260];
        while (pos < c->n) {
                size_t p = find(c, pos, open, olen);
                push_text(c, pos, p == SIZE_MAX ? c->n : p);
                if (p == SIZE_MAX)
                        break;
                track(c, p);
                int line = c->tline, col = c->tcol;
                size_t q = p + olen;
                while (q < c->n && is_space(s[q]))
                        q++;
                char sigil = 0;
                if (q < c->n && s[q] && strchr("#^/!=><$&{", s[q])) {
                        sigil = s[q];
                        q++;
                }
                /* The closing sequence: "=}}" and "}}}" for those tags, else "}}". */
                size_t cl = 0;
                if (sigil == '=' || sigil == '{')
                        closing[cl++] = sigil == '=' ? '=' : '}';
                memcpy(closing + cl, close, clen);
                cl += clen;
                size_t e = find(c, q, closing, cl);
                if (e == SIZE_MAX) {
                        if (sigil == '{')
                                return cerr(c, line, col, "unclosed tag: no '}%.*s' after '%.*s{'",
                                            (int)clen, close, (int)olen, open);
                        return cerr(c, line, col, "unclosed tag: no '%.*s' after '%.*s'", (int)cl,
                                    closing, (int)olen, open);
                }
                pos = e + cl;
                if (sigil == '=') {
                        if (parse_delims(c, q, e, &open, &olen, &close, &clen) < 0)
                                return cerr(c, line, col,
                                            "bad set-delimiter tag: want two delimiters "
                                            "without spaces or '=', as in {{=<%% %%>=}}");
                        if (olen + 1 > sizeof closing - 8 || clen + 1 > sizeof closing - 8)
                                return cerr(c, line, col, "bad set-delimiter tag: too long");
                }
                struct tok *k = push_tok(c);
                k->kind = K_TAG;
                k->sigil = sigil;
                k->a = p;
                k->b = pos;
                k->line = line;
                k->col = col;
                if (sigil == '!' || sigil == '=')
                        continue;
                size_t na = q, nb = e;
                while (na < nb && is_space(s[na]))
                        na++;
                while (nb > na && is_space(s[nb - 1]))
                        nb--;
                if ((sigil == '>' || sigil == '<' || sigil == '/') && na < nb && s[na] == '*') {
                        k->dynamic = true;
                        na++;
                        while (na < nb && is_space(s[na]))
                                na++;
                }
                k->na = na;
                k->nb = nb;
                if (na == nb)
                        return cerr(c, line, col, "empty tag name");
                for (size_t i = na; i < nb; i++)
                        if (is_space(s[i]))
                                return cerr(c, line, col,
                                            "bad tag name '%.*s': names contain no spaces",
                                            (int)(nb - na), s + na);
        }
        return 0;
}

/* True for the tags that open an element closed by {{/name}}. */
static bool is_open(const struct tok *k)
{
        return k->kind == K_TAG &&
               (k->sigil == '#' || k->sigil == '^' || k->sigil == '<' || k->sigil == '$');
}

/* Names the kind of element an opening sigil starts, for messages. */
static const char *what(char sigil)
{
        switch (sigil) {
        case '<':
                return "parent";
        case '$':
                return "block";
        case '^':
                return "inverted section";
        default:
                return "section";
        }
}

/* Pass 2: matches each closing tag with its opening tag, limits nesting, marks blocks
 * passed to parents and drops text inside parents (outside their blocks). */
static int match_tags(struct comp *c)
{
        size_t stack[TMPL_MAX_SECTION_DEPTH];
        int depth = 0;
        const char *s = c->s;
        for (size_t i = 0; i < c->ntoks; i++) {
                struct tok *k = &c->toks[i];
                bool in_parent = depth > 0 && c->toks[stack[depth - 1]].sigil == '<';
                if (k->kind == K_TEXT) {
                        if (in_parent)
                                k->drop = true;
                        continue;
                }
                if (in_parent && k->sigil != '$' && k->sigil != '/' && k->sigil != '!' &&
                    k->sigil != '=')
                        return cerr(c, k->line, k->col,
                                    "only blocks ({{$name}}...{{/name}}) may appear directly "
                                    "inside a parent tag");
                if (is_open(k)) {
                        if (depth == TMPL_MAX_SECTION_DEPTH)
                                return cerr(c, k->line, k->col, "sections nested more than %d deep",
                                            TMPL_MAX_SECTION_DEPTH);
                        k->arg = k->sigil == '$' && in_parent;
                        stack[depth++] = i;
                        continue;
                }
                if (k->sigil != '/')
                        continue;
                if (depth == 0)
                        return cerr(c, k->line, k->col, "closing tag '%.*s' closes nothing",
                                    (int)(k->nb - k->na), s + k->na);
                struct tok *o = &c->toks[stack[depth - 1]];
                if (o->dynamic != k->dynamic || o->nb - o->na != k->nb - k->na ||
                    memcmp(s + o->na, s + k->na, k->nb - k->na))
                        return cerr(c, k->line, k->col,
                                    "mismatched closing tag '%s%.*s': the open %s is '%s%.*s' "
                                    "(line %d, column %d)",
                                    k->dynamic ? "*" : "", (int)(k->nb - k->na), s + k->na,
                                    what(o->sigil), o->dynamic ? "*" : "", (int)(o->nb - o->na),
                                    s + o->na, o->line, o->col);
                depth--;
                o->match = i;
                k->match = stack[depth];
                k->arg = o->arg;
        }
        if (depth > 0) {
                struct tok *o = &c->toks[stack[depth - 1]];
                return cerr(c, o->line, o->col, "unclosed %s '%s%.*s': no {{/%s%.*s}}",
                            what(o->sigil), o->dynamic ? "*" : "", (int)(o->nb - o->na), s + o->na,
                            o->dynamic ? "*" : "", (int)(o->nb - o->na), s + o->na);
        }
        return 0;
}

/* Whitespace that may surround a standalone tag on its line. */
static bool is_blank(char ch)
{
        return ch == ' ' || ch == '\t';
}

/* True when text token k is only spaces and tabs. */
static bool tok_blank(const struct comp *c, const struct tok *k)
{
        for (size_t i = k->a; i < k->b; i++)
                if (!is_blank(c->s[i]))
                        return false;
        return true;
}

/* The opening tag of a block passed to a parent starts its content as a file starts. */
static bool is_arg_open(const struct tok *k)
{
        return k->kind == K_TAG && k->sigil == '$' && k->arg;
}

/* Its closing tag ends the content as the end of a file does. */
static bool is_arg_close(const struct tok *k)
{
        return k->kind == K_TAG && k->sigil == '/' && k->arg;
}

/* True when only spaces/tabs precede tag i on its line; *ws gets the whitespace token's
 * index, or SIZE_MAX when there is none. */
static bool left_clear(const struct comp *c, size_t i, size_t *ws)
{
        *ws = SIZE_MAX;
        if (i == 0)
                return true;
        const struct tok *k = &c->toks[i - 1];
        if (k->kind == K_TAG)
                return is_arg_open(k);
        if (c->s[k->b - 1] == '\n')
                return true;
        if (!tok_blank(c, k))
                return false;
        *ws = i - 1;
        if (i == 1)
                return true;
        k = &c->toks[i - 2];
        return k->kind == K_TEXT || is_arg_open(k);
}

/* True when only spaces/tabs and then a line ending (or the end) follow tag i; *ws gets
 * the index of the token holding them, or SIZE_MAX. */
static bool right_clear(const struct comp *c, size_t i, size_t *ws)
{
        *ws = SIZE_MAX;
        if (i + 1 >= c->ntoks)
                return true;
        const struct tok *k = &c->toks[i + 1];
        if (k->kind == K_TAG)
                return is_arg_close(k);
        size_t p = k->a;
        while (p < k->b && is_blank(c->s[p]))
                p++;
        size_t rest = k->b - p;
        if ((rest == 1 && c->s[p] == '\n') ||
            (rest == 2 && c->s[p] == '\r' && c->s[p + 1] == '\n')) {
                *ws = i + 1;
                return true;
        }
        if (rest)
                return false;
        if (i + 2 >= c->ntoks || is_arg_close(&c->toks[i + 2])) {
                *ws = i + 1;
                return true;
        }
        return false;
}

/* Removes whitespace token ws (SIZE_MAX: none) from the output. */
static void drop(struct comp *c, size_t ws)
{
        if (ws != SIZE_MAX)
                c->toks[ws].drop = true;
}

/* The leading spaces/tabs of the line after text token ws (which ends a line), as
 * [*a, *b); empty when there is no such token. */
static void next_line_indent(const struct comp *c, size_t ws, size_t *a, size_t *b)
{
        *a = *b = 0;
        if (ws == SIZE_MAX || c->s[c->toks[ws].b - 1] != '\n')
                return;
        size_t p = c->toks[ws].b;
        *a = p;
        while (p < c->n && is_blank(c->s[p]))
                p++;
        *b = p;
}

/* Pass 3: the standalone rules. A tag alone on its line loses the line's whitespace and
 * line ending. A parent element, and a block element outside a parent, stand alone when
 * the opening tag has only whitespace before it and the closing tag only whitespace after
 * it; the whitespace before becomes the element's indentation. A block passed to a parent
 * that opens at the end of a line starts on the next line, whose indentation is its
 * intrinsic indentation, removed from each line of the block. */
static void standalone(struct comp *c)
{
        for (size_t i = 0; i < c->ntoks; i++) {
                struct tok *k = &c->toks[i];
                size_t lw, rw, rw2;
                if (k->kind != K_TAG || k->sigil == 0 || k->sigil == '&' || k->sigil == '{')
                        continue;
                if (k->sigil == '<') {
                        bool l = left_clear(c, i, &lw);
                        bool r = right_clear(c, k->match, &rw);
                        if (l && r) {
                                drop(c, lw);
                                drop(c, rw);
                                k->standalone = true;
                                if (lw != SIZE_MAX) {
                                        k->ia = c->toks[lw].a;
                                        k->ib = c->toks[lw].b;
                                }
                        }
                } else if (is_arg_open(k)) {
                        if (right_clear(c, i, &rw)) {
                                drop(c, rw);
                                k->eol = true;
                                next_line_indent(c, rw, &k->ia, &k->ib);
                        }
                } else if (is_arg_close(k)) {
                        if (left_clear(c, i, &lw))
                                drop(c, lw);
                } else if (k->sigil == '/' && c->toks[k->match].sigil == '<') {
                        /* handled with its parent's opening tag */
                } else {
                        bool l = left_clear(c, i, &lw), r = right_clear(c, i, &rw);
                        if (l && r) {
                                drop(c, lw);
                                drop(c, rw);
                                if (k->sigil == '>') {
                                        k->standalone = true;
                                        if (lw != SIZE_MAX) {
                                                k->ia = c->toks[lw].a;
                                                k->ib = c->toks[lw].b;
                                        }
                                }
                        }
                        if (k->sigil != '$')
                                continue;
                        /* A block outside parents: is the element standalone? */
                        if (!l || !right_clear(c, k->match, &rw2))
                                continue;
                        k->standalone = true;
                        if (r) {
                                next_line_indent(c, rw, &k->ia, &k->ib);
                        } else if (lw != SIZE_MAX) {
                                k->ia = k->la = c->toks[lw].a;
                                k->ib = k->lb = c->toks[lw].b;
                                drop(c, lw);
                        }
                }
        }
}

/* Returns a new zeroed node at the end of the program, placed at tag k (may be NULL). */
static struct node *push_node(struct comp *c, enum op op, const struct tok *k)
{
        if (c->nnodes == c->capnodes) {
                c->capnodes = c->capnodes ? c->capnodes * 2 : 32;
                c->nodes = xrealloc(c->nodes, c->capnodes * sizeof *c->nodes);
        }
        struct node *n = &c->nodes[c->nnodes++];
        memset(n, 0, sizeof *n);
        n->op = op;
        if (k) {
                n->line = k->line;
                n->col = k->col;
        }
        return n;
}

/* Indentation [a, b) of the source with the current outdent (the intrinsic indentation
 * of the enclosing block passed to a parent) taken off its front. */
static void relative(const struct comp *c, size_t a, size_t b, const char *od, size_t odlen,
                     const char **out, size_t *outlen)
{
        if (b - a >= odlen && !memcmp(c->s + a, od, odlen))
                a += odlen;
        *out = c->s + a;
        *outlen = b - a;
}

/* Pass 4: builds the nodes. Returns 0 or -1 (error recorded). */
static int build(struct comp *c)
{
        size_t open[TMPL_MAX_SECTION_DEPTH];
        const char *od_stack[TMPL_MAX_SECTION_DEPTH];
        size_t odlen_stack[TMPL_MAX_SECTION_DEPTH];
        int depth = 0, oddepth = 0;
        const char *od = "";
        size_t odlen = 0;
        const char *s = c->s;
        for (size_t i = 0; i < c->ntoks; i++) {
                const struct tok *k = &c->toks[i];
                if (k->kind == K_TEXT) {
                        if (k->drop)
                                continue;
                        size_t a = k->a;
                        if (odlen && a > 0 && s[a - 1] == '\n' && k->b - a >= odlen &&
                            !memcmp(s + a, od, odlen))
                                a += odlen;
                        if (a == k->b)
                                continue;
                        struct node *last = c->nnodes ? &c->nodes[c->nnodes - 1] : NULL;
                        if (last && last->op == OP_TEXT && last->text + last->len == s + a) {
                                last->len += k->b - a;
                                continue;
                        }
                        struct node *n = push_node(c, OP_TEXT, NULL);
                        n->text = s + a;
                        n->len = k->b - a;
                        continue;
                }
                struct node *n;
                switch (k->sigil) {
                case '!':
                case '=':
                        break;
                case 0:
                case '&':
                case '{':
                        n = push_node(c, k->sigil ? OP_RAW : OP_VAR, k);
                        key_init(&n->key, s + k->na, k->nb - k->na);
                        break;
                case '#':
                case '^':
                        n = push_node(c, k->sigil == '#' ? OP_SECTION : OP_INVERTED, k);
                        key_init(&n->key, s + k->na, k->nb - k->na);
                        open[depth++] = c->nnodes - 1;
                        break;
                case '>':
                case '<':
                        n = push_node(c, k->sigil == '>' ? OP_PARTIAL : OP_PARENT, k);
                        n->dynamic = k->dynamic;
                        n->standalone = k->standalone;
                        relative(c, k->ia, k->ib, od, odlen, &n->indent, &n->indent_len);
                        if (k->dynamic) {
                                key_init(&n->key, s + k->na, k->nb - k->na);
                        } else {
                                n->name = xstrndup(s + k->na, k->nb - k->na);
                                if (!name_ok(n->name))
                                        return cerr(c, k->line, k->col,
                                                    "bad %s name '%s': no '..', leading '/', "
                                                    "'\\' or control characters",
                                                    k->sigil == '>' ? "partial" : "parent",
                                                    n->name);
                        }
                        if (k->sigil == '>')
                                n->end = c->nnodes;
                        else
                                open[depth++] = c->nnodes - 1;
                        break;
                case '$':
                        n = push_node(c, OP_BLOCK, k);
                        n->name = xstrndup(s + k->na, k->nb - k->na);
                        open[depth++] = c->nnodes - 1;
                        if (k->arg) {
                                od_stack[oddepth] = od;
                                odlen_stack[oddepth++] = odlen;
                                if (k->eol) {
                                        od = s + k->ia;
                                        odlen = k->ib - k->ia;
                                }
                                break;
                        }
                        n->standalone = k->standalone;
                        relative(c, k->ia, k->ib, od, odlen, &n->indent, &n->indent_len);
                        relative(c, k->la, k->lb, od, odlen, &n->lead, &n->lead_len);
                        break;
                case '/':
                        c->nodes[open[--depth]].end = c->nnodes;
                        if (k->arg) {
                                od = od_stack[--oddepth];
                                odlen = odlen_stack[oddepth];
                        }
                        break;
                }
        }
        return 0;
}

/* Frees a program and the names it owns. */
static void free_nodes(struct node *nodes, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(nodes[i].name);
                key_free(&nodes[i].key);
        }
        free(nodes);
}

/* Compiles t->src into t->nodes, or records the error in t (state T_ERROR). */
static void compile(struct tmpl *t)
{
        struct comp c = {.s = t->src, .n = t->srclen, .tline = 1, .tcol = 1};
        if (tokenize(&c) == 0 && match_tags(&c) == 0) {
                standalone(&c);
                build(&c);
        }
        free(c.toks);
        if (c.err) {
                free_nodes(c.nodes, c.nnodes);
                t->state = T_ERROR;
                t->err_msg = c.err;
                t->err_line = c.err_line;
                t->err_col = c.err_col;
                return;
        }
        t->nodes = c.nodes;
        t->nnodes = c.nnodes;
        t->state = T_OK;
}

/* ---------------------------------------------------------------------------------- */
/* The library */

/* Returns an empty library; caller frees with tmpl_lib_free. */
struct tmpl_lib *tmpl_lib_new(const char *dir)
{
        struct tmpl_lib *lib = xcalloc(1, sizeof *lib);
        lib->dir = dir ? xstrdup(dir) : NULL;
        lib->steps = TMPL_MAX_STEPS;
        lib->bytes = TMPL_MAX_OUTPUT;
        pthread_mutex_init(&lib->mu, NULL);
        return lib;
}

/* Frees t's source, program and error, keeping its name and path. */
static void tmpl_clear(struct tmpl *t)
{
        free_nodes(t->nodes, t->nnodes);
        t->nodes = NULL;
        t->nnodes = 0;
        free(t->src);
        t->src = NULL;
        free(t->err_msg);
        t->err_msg = NULL;
}

/* Frees lib and every template in it; NULL is a no-op. */
void tmpl_lib_free(struct tmpl_lib *lib)
{
        if (!lib)
                return;
        struct tmpl *t = lib->list;
        while (t) {
                struct tmpl *next = t->next;
                tmpl_clear(t);
                free(t->name);
                free(t->path);
                free(t);
                t = next;
        }
        pthread_mutex_destroy(&lib->mu);
        free(lib->dir);
        free(lib);
}

/* See tmpl.h. */
void tmpl_lib_strict(struct tmpl_lib *lib, bool strict)
{
        lib->strict = strict;
}

/* See tmpl.h. */
void tmpl_lib_limits(struct tmpl_lib *lib, unsigned long steps, size_t bytes)
{
        lib->steps = steps ? steps : TMPL_MAX_STEPS;
        lib->bytes = bytes ? bytes : TMPL_MAX_OUTPUT;
}

/* Returns the template called name, or NULL. Call with lib->mu held. */
static struct tmpl *lookup_tmpl(struct tmpl_lib *lib, const char *name)
{
        for (struct tmpl *t = lib->list; t; t = t->next)
                if (!strcmp(t->name, name))
                        return t;
        return NULL;
}

/* Returns a new empty template added to lib (which owns it). Call with lib->mu held. */
static struct tmpl *new_tmpl(struct tmpl_lib *lib, const char *name)
{
        struct tmpl *t = xcalloc(1, sizeof *t);
        t->name = xstrdup(name);
        t->next = lib->list;
        lib->list = t;
        return t;
}

/* Registers a copy of src; the template compiles on first use. */
void tmpl_lib_add(struct tmpl_lib *lib, const char *name, const char *path, const char *src,
                  size_t len)
{
        pthread_mutex_lock(&lib->mu);
        struct tmpl *t = lookup_tmpl(lib, name);
        if (!t)
                t = new_tmpl(lib, name);
        tmpl_clear(t);
        free(t->path);
        t->path = xstrdup(path ? path : name);
        t->src = xmalloc(len + 1); /* all len bytes: the source may hold a NUL */
        memcpy(t->src, src, len);
        t->src[len] = '\0';
        t->srclen = len;
        t->state = T_NEW;
        /* Templates linked to the old version relink (and so compile this one) on use. */
        for (struct tmpl *u = lib->list; u; u = u->next)
                u->linked = false;
        pthread_mutex_unlock(&lib->mu);
}

/* Reads t->path into t->src. Returns 0 or -1 (not found, not readable, or not a regular
 * file: a FIFO would block the build, a folder cannot be read). */
static int read_file(struct tmpl *t)
{
        int fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        struct stat st;
        if (fd < 0)
                return -1;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return -1;
        }
        FILE *f = fdopen(fd, "rb");
        if (!f) {
                close(fd);
                return -1;
        }
        struct buf b = {0};
        char chunk[16384];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
                buf_put(&b, chunk, n);
        int bad = ferror(f);
        if (fclose(f) != 0 || bad) {
                buf_free(&b);
                return -1;
        }
        t->srclen = b.len;
        t->src = buf_detach(&b);
        return 0;
}

/* Returns the template called name, reading and compiling it on first use (a missing
 * file gives a T_MISSING template, so the miss is remembered); NULL when name is not
 * registered and not a valid file name. Call with lib->mu held. */
static struct tmpl *get_tmpl(struct tmpl_lib *lib, const char *name)
{
        struct tmpl *t = lookup_tmpl(lib, name);
        if (!t) {
                if (!name_ok(name))
                        return NULL;
                t = new_tmpl(lib, name);
                t->state = T_MISSING;
                if (lib->dir) {
                        t->path = xasprintf("%s/%s.mustache", lib->dir, name);
                        if (read_file(t) == 0)
                                t->state = T_NEW;
                }
        }
        if (t->state == T_NEW)
                compile(t);
        return t;
}

/* Resolves the static partials and parents of root and of everything they name, in
 * turn, compiling as it goes. Afterwards none of these templates changes again, so
 * renders may read them without the lock. Call with lib->mu held. */
static void link_all(struct tmpl_lib *lib, struct tmpl *root)
{
        struct tmpl **work = NULL;
        size_t nwork = 0, cap = 0;
        if (root && !root->linked) {
                cap = 16;
                work = xmalloc(cap * sizeof *work);
                work[nwork++] = root;
        }
        while (nwork) {
                struct tmpl *t = work[--nwork];
                if (t->linked)
                        continue;
                t->linked = true;
                if (t->state != T_OK)
                        continue;
                for (size_t i = 0; i < t->nnodes; i++) {
                        struct node *n = &t->nodes[i];
                        if ((n->op != OP_PARTIAL && n->op != OP_PARENT) || n->dynamic)
                                continue;
                        n->target = get_tmpl(lib, n->name);
                        if (!n->target || n->target->linked)
                                continue;
                        if (nwork == cap) {
                                cap *= 2;
                                work = xrealloc(work, cap * sizeof *work);
                        }
                        work[nwork++] = n->target;
                }
        }
        free(work);
}

/* Returns the template called name ready to render (or NULL, or one whose state says
 * why not). Takes the lock. */
static struct tmpl *prepare(struct tmpl_lib *lib, const char *name)
{
        pthread_mutex_lock(&lib->mu);
        struct tmpl *t = get_tmpl(lib, name);
        link_all(lib, t);
        pthread_mutex_unlock(&lib->mu);
        return t;
}

/* Reports that template name could not be used: missing (T_MISSING or NULL) or broken.
 * kind says what referred to it ("partial", "parent", "template"); the error is placed
 * at path:line:col. */
static void report_unusable(struct tmpl_lib *lib, const struct tmpl *t, const char *name,
                            const char *kind, struct diag *d, const char *path, int line, int col)
{
        char *pn = printable(name);
        if (t && t->state == T_ERROR)
                diag_error(d, t->path, t->err_line, t->err_col, "%s", t->err_msg);
        else if (!t && !name_ok(name))
                diag_error(d, path, line, col,
                           "bad %s name '%s': no '..', leading '/', '\\' or control characters",
                           kind, pn);
        else if (t && t->path)
                diag_error(d, path, line, col, "%s '%s' not found (looked for %s)", kind, pn,
                           t->path);
        else
                diag_error(d, path, line, col, "%s '%s' not found%s", kind, pn,
                           lib->dir ? "" : " (no template directory)");
        free(pn);
}

/* Compiles and links name's static closure, then reports every broken template in it
 * (and, when strict, every static partial or parent not found). Returns 0 or -1. */
int tmpl_lib_check(struct tmpl_lib *lib, const char *name, struct diag *d)
{
        int rc = 0;
        struct tmpl **work = NULL;
        size_t nwork = 0, cap = 16;
        pthread_mutex_lock(&lib->mu);
        struct tmpl *root = get_tmpl(lib, name);
        link_all(lib, root);
        if (!root || root->state != T_OK) {
                report_unusable(lib, root, name, "template", d, NULL, 0, 0);
                rc = -1;
                goto out;
        }
        unsigned mark = ++lib->mark;
        work = xmalloc(cap * sizeof *work);
        work[nwork++] = root;
        root->mark = mark;
        while (nwork) {
                struct tmpl *t = work[--nwork];
                if (t->state == T_ERROR) {
                        diag_error(d, t->path, t->err_line, t->err_col, "%s", t->err_msg);
                        rc = -1;
                        continue;
                }
                if (t->state != T_OK)
                        continue;
                for (size_t i = 0; i < t->nnodes; i++) {
                        const struct node *n = &t->nodes[i];
                        if ((n->op != OP_PARTIAL && n->op != OP_PARENT) || n->dynamic)
                                continue;
                        struct tmpl *g = n->target;
                        if (g && g->state == T_MISSING) {
                                if (lib->strict) {
                                        report_unusable(lib, g, n->name,
                                                        n->op == OP_PARTIAL ? "partial" : "parent",
                                                        d, t->path, n->line, n->col);
                                        rc = -1;
                                }
                                continue;
                        }
                        if (!g || g->mark == mark)
                                continue;
                        g->mark = mark;
                        if (nwork == cap) {
                                cap *= 2;
                                work = xrealloc(work, cap * sizeof *work);
                        }
                        work[nwork++] = g;
                }
        }
out:
        pthread_mutex_unlock(&lib->mu);
        free(work);
        return rc;
}

/* ---------------------------------------------------------------------------------- */
/* Rendering */

/* A stretch of nodes being run: a template's body, a section's children for each of
 * its items, or a block's content. */
struct frame {
        const struct tmpl *t; /* whose nodes */
        size_t pc;            /* the next node */
        size_t start, end;    /* the stretch [start, end) */
        json_t *list;         /* a section over an array: the array */
        size_t idx, count;    /* that section: the current item and the number of items */
        bool push;            /* a context was pushed for this frame */
        bool is_tmpl;         /* a partial or parent: counts toward the depth limit */
        bool is_parent;       /* an argument set was pushed for this frame */
        size_t indent_len;    /* indentation to restore on exit */
        int chain;            /* argument chain to restore on exit */
};

/* The blocks passed to one parent tag, and the sets of the parents around it. */
struct argset {
        const struct tmpl *t; /* the template with the parent tag */
        size_t node;          /* the parent tag's node */
        int outer;            /* the enclosing set, or -1 */
};

struct render {
        struct tmpl_lib *lib;
        struct buf *out;
        struct diag *d;
        json_t **ctx; /* the context stack, top last */
        size_t nctx, capctx;
        struct frame *fr; /* the frame stack, top last */
        size_t nfr, capfr;
        struct argset *args; /* argument sets, innermost last */
        size_t nargs, capargs;
        int chain;           /* the innermost argument set in effect, or -1 */
        int depth;           /* partials and parents being rendered */
        struct buf indent;   /* the indentation in effect */
        bool bol;            /* at the beginning of a line (kept while indent.len > 0) */
        unsigned long steps; /* interpreter steps so far */
        size_t start;        /* out->len when the render began */
};

/* Pushes v (borrowed) on the context stack. */
static void push_ctx(struct render *r, json_t *v)
{
        if (r->nctx == r->capctx) {
                r->capctx = r->capctx ? r->capctx * 2 : 32;
                r->ctx = xrealloc(r->ctx, r->capctx * sizeof *r->ctx);
        }
        r->ctx[r->nctx++] = v;
}

/* Pushes a frame running [start, end) of t; saves the indentation and argument chain to
 * restore when it ends. Invalidates pointers to other frames. */
static struct frame *push_frame(struct render *r, const struct tmpl *t, size_t start, size_t end)
{
        if (r->nfr == r->capfr) {
                r->capfr = r->capfr ? r->capfr * 2 : 32;
                r->fr = xrealloc(r->fr, r->capfr * sizeof *r->fr);
        }
        struct frame *f = &r->fr[r->nfr++];
        *f = (struct frame){.t = t,
                            .pc = start,
                            .start = start,
                            .end = end,
                            .count = 1,
                            .indent_len = r->indent.len,
                            .chain = r->chain};
        return f;
}

/* Ends the top frame, undoing what entering it pushed. */
static void pop_frame(struct render *r)
{
        struct frame *f = &r->fr[--r->nfr];
        if (f->push)
                r->nctx--;
        if (f->is_tmpl)
                r->depth--;
        if (f->is_parent)
                r->nargs--;
        buf_truncate(&r->indent, f->indent_len);
        r->chain = f->chain;
}

/* Adds indentation for a standalone element starting at the beginning of a line. */
static void add_indent(struct render *r, const struct node *n)
{
        if (!n->standalone)
                return;
        buf_put(&r->indent, n->indent, n->indent_len);
        r->bol = true;
}

/* Resolves a name against the context stack; NULL when it is not found. */
static json_t *lookup(const struct render *r, const struct key *k)
{
        if (k->nparts == 0)
                return r->ctx[r->nctx - 1];
        json_t *v = NULL;
        for (size_t i = r->nctx; i-- > 0;) {
                json_t *c = r->ctx[i];
                if (json_is_object(c) && (v = json_object_get(c, k->parts[0])))
                        break;
        }
        for (int p = 1; v && p < k->nparts; p++)
                v = json_is_object(v) ? json_object_get(v, k->parts[p]) : NULL;
        return v;
}

/* False for a missing name, false, null, the empty string and the empty array. The
 * empty string is falsey as in mustache.js, so that `{{#summary}}<p>…</p>{{/summary}}`
 * leaves out an empty paragraph. */
static bool truthy(const json_t *v)
{
        if (!v || json_is_false(v) || json_is_null(v))
                return false;
        if (json_is_string(v) && json_string_length(v) == 0)
                return false;
        return !json_is_array(v) || json_array_size(v) > 0;
}

/* Writes template text, indenting each line that has content while indentation is in
 * effect. */
static void put_text(struct render *r, const char *s, size_t len)
{
        if (!r->indent.len) {
                buf_put(r->out, s, len);
                return;
        }
        while (len) {
                const char *nl = memchr(s, '\n', len);
                size_t seg = nl ? (size_t)(nl - s) + 1 : len;
                bool empty = nl && (seg == 1 || (seg == 2 && s[0] == '\r'));
                if (r->bol && !empty)
                        buf_put(r->out, r->indent.data, r->indent.len);
                buf_put(r->out, s, seg);
                r->bol = nl != NULL;
                s += seg;
                len -= seg;
        }
}

/* Formats a JSON number as text into tmp (at least 32 bytes); returns its length. */
static size_t format_number(const json_t *v, char *tmp, size_t size)
{
        int n;
        if (json_is_integer(v)) {
                n = snprintf(tmp, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        } else {
                double x = json_real_value(v);
                n = snprintf(tmp, size, "%.15g", x);
                for (int prec = 16; prec <= 17 && strtod(tmp, NULL) != x; prec++)
                        n = snprintf(tmp, size, "%.*g", prec, x);
        }
        return n < 0 ? 0 : (size_t)n;
}

/* Writes an interpolated value, HTML-escaped when escape is set. */
static void put_value(struct render *r, const json_t *v, bool escape)
{
        char tmp[64];
        const char *s;
        size_t len;
        if (!v)
                return;
        switch (json_typeof(v)) {
        case JSON_STRING:
                s = json_string_value(v);
                len = json_string_length(v);
                break;
        case JSON_INTEGER:
        case JSON_REAL:
                len = format_number(v, tmp, sizeof tmp);
                s = tmp;
                break;
        case JSON_TRUE:
                s = "true";
                len = 4;
                break;
        case JSON_FALSE:
                s = "false";
                len = 5;
                break;
        default:
                return;
        }
        if (!len)
                return;
        if (r->indent.len && r->bol) {
                buf_put(r->out, r->indent.data, r->indent.len);
                r->bol = false;
        }
        if (escape)
                escape_html(r->out, s, len);
        else
                buf_put(r->out, s, len);
}

/* Finds the template a partial or parent node n (in t) names. Sets *out to it, or to
 * NULL when it renders as nothing. Returns 0, or -1 after reporting an error. */
static int resolve(struct render *r, const struct tmpl *t, const struct node *n,
                   const struct tmpl **out)
{
        const char *kind = n->op == OP_PARTIAL ? "partial" : "parent";
        const struct tmpl *g;
        const char *name;
        char tmp[64];
        *out = NULL;
        if (!n->dynamic) {
                g = n->target;
                name = n->name;
        } else {
                /* {{>*key}}: the name is the value of key, as {{key}} would print it. */
                const json_t *v = lookup(r, &n->key);
                if (json_is_string(v)) {
                        name = json_string_value(v);
                        if (strlen(name) != json_string_length(v))
                                name = "\x01";
                } else if (json_is_number(v)) {
                        format_number(v, tmp, sizeof tmp);
                        name = tmp;
                } else {
                        return 0;
                }
                if (!*name)
                        return 0;
                g = prepare(r->lib, name);
        }
        if (g && g->state == T_OK) {
                *out = g;
                return 0;
        }
        if (g && g->state == T_MISSING && !r->lib->strict)
                return 0;
        if (!g && name_ok(name) && !r->lib->strict)
                return 0;
        report_unusable(r->lib, g, name, kind, r->d, t->path, n->line, n->col);
        return -1;
}

/* Finds the block called name passed by the outermost parent in the argument chain.
 * Returns true and sets *set and *node when there is one. */
static bool find_arg(const struct render *r, const char *name, int *set, size_t *node)
{
        bool found = false;
        for (int c = r->chain; c >= 0; c = r->args[c].outer) {
                const struct argset *a = &r->args[c];
                const struct node *nodes = a->t->nodes;
                for (size_t k = a->node + 1; k < nodes[a->node].end; k = nodes[k].end) {
                        if (!strcmp(nodes[k].name, name)) {
                                found = true;
                                *set = c;
                                *node = k;
                                break;
                        }
                }
        }
        return found;
}

/* Enters the partial or parent node n of template t (whose frame has moved past n). */
static int enter(struct render *r, const struct tmpl *t, size_t at)
{
        const struct node *n = &t->nodes[at];
        const struct tmpl *g;
        if (resolve(r, t, n, &g) < 0)
                return -1;
        if (!g)
                return 0;
        if (r->depth >= TMPL_MAX_PARTIAL_DEPTH) {
                char *pn = printable(n->dynamic ? g->name : n->name);
                diag_error(r->d, t->path, n->line, n->col,
                           "partials nested more than %d deep (does '%s' include itself?)",
                           TMPL_MAX_PARTIAL_DEPTH, pn);
                free(pn);
                return -1;
        }
        int chain = r->chain;
        if (n->op == OP_PARENT) {
                if (r->nargs == r->capargs) {
                        r->capargs = r->capargs ? r->capargs * 2 : 16;
                        r->args = xrealloc(r->args, r->capargs * sizeof *r->args);
                }
                r->args[r->nargs++] = (struct argset){t, at, r->chain};
                chain = (int)r->nargs - 1;
        }
        struct frame *f = push_frame(r, g, 0, g->nnodes);
        f->is_tmpl = true;
        f->is_parent = n->op == OP_PARENT;
        r->depth++;
        r->chain = chain;
        add_indent(r, n);
        return 0;
}

/* Reports that the render went past a work limit at node n of t (a text node has no
 * position: the caller passes the section around it). */
static int too_much(struct render *r, const struct tmpl *t, const struct node *n)
{
        if (r->steps > r->lib->steps)
                diag_error(r->d, t->path, n->line, n->col,
                           "rendering takes more than %lu steps: sections over lists nested in "
                           "each other, or partials that include each other, multiply the work",
                           r->lib->steps);
        else
                diag_error(r->d, t->path, n->line, n->col, "rendering writes more than %zu MB",
                           r->lib->bytes >> 20);
        return -1;
}

/* Runs the interpreter until every frame has ended. Returns 0 or -1 (reported). */
static int run(struct render *r)
{
        while (r->nfr) {
                struct frame *f = &r->fr[r->nfr - 1];
                if (f->pc >= f->end) {
                        if (f->list && ++f->idx < f->count) {
                                r->ctx[r->nctx - 1] = json_array_get(f->list, f->idx);
                                f->pc = f->start;
                        } else {
                                pop_frame(r);
                        }
                        continue;
                }
                const struct tmpl *t = f->t;
                size_t at = f->pc;
                const struct node *n = &t->nodes[at];
                json_t *v;
                if (++r->steps > r->lib->steps || r->out->len - r->start > r->lib->bytes)
                        return too_much(r, t, n->line || !f->start ? n : &t->nodes[f->start - 1]);
                switch (n->op) {
                case OP_TEXT:
                        put_text(r, n->text, n->len);
                        f->pc++;
                        break;
                case OP_VAR:
                case OP_RAW:
                        put_value(r, lookup(r, &n->key), n->op == OP_VAR);
                        f->pc++;
                        break;
                case OP_SECTION:
                        f->pc = n->end;
                        v = lookup(r, &n->key);
                        if (!truthy(v))
                                break;
                        f = push_frame(r, t, at + 1, n->end);
                        f->push = true;
                        if (json_is_array(v)) {
                                f->list = v;
                                f->count = json_array_size(v);
                                push_ctx(r, json_array_get(v, 0));
                        } else {
                                push_ctx(r, v);
                        }
                        break;
                case OP_INVERTED:
                        f->pc = n->end;
                        if (!truthy(lookup(r, &n->key)))
                                push_frame(r, t, at + 1, n->end);
                        break;
                case OP_PARTIAL:
                case OP_PARENT:
                        f->pc = n->op == OP_PARTIAL ? at + 1 : n->end;
                        if (enter(r, t, at) < 0)
                                return -1;
                        break;
                case OP_BLOCK: {
                        f->pc = n->end;
                        int set;
                        size_t k;
                        if (find_arg(r, n->name, &set, &k)) {
                                const struct argset *a = &r->args[set];
                                const struct tmpl *at_t = a->t;
                                int outer = a->outer;
                                push_frame(r, at_t, k + 1, at_t->nodes[k].end);
                                r->chain = outer;
                                add_indent(r, n);
                        } else {
                                if (n->lead_len)
                                        put_text(r, n->lead, n->lead_len);
                                push_frame(r, t, at + 1, n->end);
                        }
                        break;
                }
                }
        }
        return 0;
}

/* Renders name into out; on error reports it, restores out and returns -1. */
int tmpl_render(struct tmpl_lib *lib, const char *name, json_t *ctx, struct buf *out,
                struct diag *d)
{
        size_t start = out->len;
        struct tmpl *t = prepare(lib, name);
        if (!t || t->state != T_OK) {
                report_unusable(lib, t, name, "template", d, NULL, 0, 0);
                return -1;
        }
        struct render r = {.lib = lib, .out = out, .d = d, .chain = -1, .start = start};
        push_ctx(&r, ctx);
        push_frame(&r, t, 0, t->nnodes);
        int rc = run(&r);
        free(r.ctx);
        free(r.fr);
        free(r.args);
        buf_free(&r.indent);
        if (rc < 0)
                buf_truncate(out, start);
        return rc;
}
