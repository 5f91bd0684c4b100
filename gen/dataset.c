/* dataset: Data Package descriptors, CSV reading and Table Schema validation. */
#include "dataset.h"
#include "buf.h"
#include "config.h"
#include "date.h"
#include "escape.h"
#include "fsio.h"

#include <csv.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>

/* ---- errors of one file, capped ---- */

/* The errors of one file: the first DATASET_MAX_ERRORS are reported, the rest counted. */
struct errs {
        struct diag *d;   /* where messages go */
        const char *path; /* the file they are about */
        int n;            /* errors found so far */
        int last_line;    /* the furthest position of any of them, where the */
        int last_col;     /*   "... and N more errors" line sorts last */
};

/* Records one error at line:col of e's file (reported while under the cap). */
__attribute__((format(printf, 4, 5))) static void err_at(struct errs *e, int line, int col,
                                                         const char *fmt, ...)
{
        e->n++;
        if (line > e->last_line || (line == e->last_line && col > e->last_col)) {
                e->last_line = line;
                e->last_col = col;
        }
        if (e->n > DATASET_MAX_ERRORS)
                return;
        struct buf b = {0};
        va_list ap;
        va_start(ap, fmt);
        buf_vprintf(&b, fmt, ap);
        va_end(ap);
        diag_error(e->d, e->path, line, col, "%s", buf_cstr(&b));
        buf_free(&b);
}

/* Reports how many errors of the file were not shown, if any. */
static void errs_finish(struct errs *e)
{
        if (e->n > DATASET_MAX_ERRORS)
                diag_error(e->d, e->path, e->last_line, e->last_col, "... and %d more errors",
                           e->n - DATASET_MAX_ERRORS);
}

/* Appends s[0..n) to out for a message: at most 60 bytes (cut at a character boundary, then
 * "…"), with newlines and tabs written as \n, \r and \t. Returns out's text (owned by out). */
static const char *shown(struct buf *out, const char *s, size_t n)
{
        buf_reset(out);
        size_t i = 0;
        for (; i < n && i < 60; i++) {
                if (s[i] == '\n')
                        buf_puts(out, "\\n");
                else if (s[i] == '\r')
                        buf_puts(out, "\\r");
                else if (s[i] == '\t')
                        buf_puts(out, "\\t");
                else
                        buf_putc(out, s[i]);
        }
        if (i < n) {
                while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80) {
                        i--;
                        buf_truncate(out, out->len - 1);
                }
                buf_puts(out, "…");
        }
        return buf_cstr(out);
}

/* ---- text checks ---- */

/* Checks that text is UTF-8 without NUL bytes; reports the first problem at its line and
 * character column (first_line is the line of text[0]). Returns 0 or -1. */
static int check_utf8(const char *path, int first_line, const char *text, size_t len,
                      struct diag *d) WUR;
static int check_utf8(const char *path, int first_line, const char *text, size_t len,
                      struct diag *d)
{
        const unsigned char *p = (const unsigned char *)text;
        int line = first_line, col = 1;
        size_t i = 0;
        while (i < len) {
                if (p[i] == 0) {
                        diag_error(d, path, line, col, "NUL byte in text");
                        return -1;
                }
                if (p[i] < 0x80) {
                        if (p[i] == '\n') {
                                line++;
                                col = 1;
                        } else
                                col++;
                        i++;
                        continue;
                }
                utf8proc_int32_t cp;
                utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
                if (n < 0) {
                        diag_error(d, path, line, col, "invalid UTF-8 (byte 0x%02X)", p[i]);
                        return -1;
                }
                col++;
                i += (size_t)n;
        }
        return 0;
}

/* The line and character column of byte off of text (first_line: the line of text[0]). */
static void offset_pos(const char *text, size_t off, int first_line, int *line, int *col)
{
        int l = first_line;
        size_t start = 0;
        for (size_t i = 0; i < off; i++)
                if (text[i] == '\n') {
                        l++;
                        start = i + 1;
                }
        int c = 1;
        for (size_t i = start; i < off; i++)
                if (((unsigned char)text[i] & 0xC0) != 0x80)
                        c++;
        *line = l;
        *col = c;
}

/* Length of a UTF-8 byte order mark at the start of text: 3 or 0. */
static size_t bom_len(const char *text, size_t len)
{
        return len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

/* ---- CSV reading ---- */

/* One cell of the record being read: text at arena + off, NUL-terminated. */
struct cell {
        size_t off; /* offset in the reader's arena */
        size_t len; /* bytes, not counting the NUL */
};

struct reader;
/* Called once per record with its cells; returns 0 to go on or -1 to stop reading. */
typedef int (*row_fn)(void *ctx, struct reader *r, int line);

/* State of one CSV read: libcsv gives no positions, so the text is fed a line at a time and
 * the reader notes the line where each record's first byte was fed. */
struct reader {
        const char *path;   /* for messages */
        const char *text;   /* the whole text (for error positions) */
        int first_line;     /* line of text[0] */
        struct errs *errs;  /* the file's errors */
        row_fn row;         /* the record handler */
        void *ctx;          /* its argument */
        struct buf arena;   /* the current record's cells, each NUL-terminated */
        struct cell *cells; /* the first DATASET_MAX_FIELDS + 1 cells of the record */
        size_t ncells;      /* cells seen in the current record (may exceed those kept) */
        int line;           /* line being fed */
        int row_line;       /* line where the current record starts */
        bool row_open;      /* bytes of the current record have been fed */
        bool stop;          /* the handler asked to stop */
};

#define READER_CELLS (DATASET_MAX_FIELDS + 1)

/* The text of cell i of the current record (i < r->ncells and i < READER_CELLS). */
static const char *cell_text(const struct reader *r, size_t i)
{
        return r->arena.data + r->cells[i].off;
}

/* libcsv's field callback: keeps the cell. */
static void on_field(void *s, size_t len, void *data)
{
        struct reader *r = data;
        if (r->stop)
                return;
        if (!r->row_open) {
                r->row_open = true;
                r->row_line = r->line;
        }
        if (r->ncells < READER_CELLS) {
                r->cells[r->ncells].off = r->arena.len;
                r->cells[r->ncells].len = s ? len : 0;
                if (s && len)
                        buf_put(&r->arena, s, len);
                buf_putc(&r->arena, '\0');
        }
        r->ncells++;
}

/* libcsv's record callback: hands the record to the handler, then forgets it. */
static void on_record(int c, void *data)
{
        struct reader *r = data;
        (void)c;
        if (r->stop)
                return;
        if (!r->row_open)
                r->row_line = r->line;
        if (r->row(r->ctx, r, r->row_line) < 0)
                r->stop = true;
        r->ncells = 0;
        buf_reset(&r->arena);
        r->row_open = false;
}

/* Every byte is a cell byte: libcsv then keeps spaces, as RFC 4180 says. */
static int no_space(unsigned char c)
{
        (void)c;
        return 0;
}

/* Reads text (checked UTF-8, no BOM) record by record into r->row. Returns 0, or -1 after
 * reporting a quoting error, or when the handler stopped the read. */
static int csv_read(struct reader *r, const char *text, size_t len) WUR;
static int csv_read(struct reader *r, const char *text, size_t len)
{
        struct csv_parser p;
        int rc = 0;
        if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
                diag_error(r->errs->d, r->path, 0, 0, "cannot start the CSV parser");
                return -1;
        }
        csv_set_space_func(&p, no_space);
        r->text = text;
        r->cells = xmalloc(READER_CELLS * sizeof *r->cells);
        r->line = r->first_line;
        size_t off = 0;
        while (off < len && !r->stop) {
                const char *nl = memchr(text + off, '\n', len - off);
                size_t n = nl ? (size_t)(nl - (text + off)) + 1 : len - off;
                size_t blank = 0;
                while (blank < n && (text[off + blank] == '\r' || text[off + blank] == '\n'))
                        blank++;
                if (!r->row_open && blank < n) {
                        r->row_open = true;
                        r->row_line = r->line;
                }
                size_t done = csv_parse(&p, text + off, n, on_field, on_record, r);
                if (r->stop)
                        break;
                if (done != n) {
                        int line, col;
                        offset_pos(text, off + done, r->first_line, &line, &col);
                        if (text[off + done] == '"')
                                err_at(r->errs, line, col,
                                       "'\"' inside an unquoted field: quote the whole field and "
                                       "double the quotes inside it (\"say \"\"hi\"\"\")");
                        else
                                err_at(r->errs, line, col,
                                       "text after a closing quote: write a '\"' inside a quoted "
                                       "field as \"\"");
                        rc = -1;
                        goto out;
                }
                off += n;
                if (nl)
                        r->line++;
        }
        if (!r->stop && csv_fini(&p, on_field, on_record, r) != 0) {
                err_at(r->errs, r->row_line, 1,
                       "a quoted field of this record is never closed: a '\"' is missing");
                rc = -1;
        }
out:
        if (r->stop)
                rc = -1;
        csv_free(&p);
        free(r->cells);
        r->cells = NULL;
        buf_free(&r->arena);
        return rc;
}

/* ---- Table Schema ---- */

enum ftype { FT_STRING, FT_INTEGER, FT_NUMBER, FT_DATE, FT_YEAR, FT_BOOLEAN };
static const char *const type_names[] = {"string", "integer", "number", "date",
                                         "year",   "boolean", NULL};

/* One field of a schema. Strings and arrays are borrowed from the descriptor. */
struct field {
        const char *name;
        enum ftype type;
        bool required;          /* constraints.required, or part of the primary key */
        bool unique;            /* constraints.unique */
        bool bare;              /* bareNumber (false: text around a number is dropped) */
        const char *group;      /* groupChar, or NULL */
        char decimal;           /* decimalChar ('.' unless given) */
        json_t *trues, *falses; /* trueValues / falseValues; NULL for the defaults */
};

/* A resource's schema, as needed for validation. */
struct schema {
        struct field *f; /* fields in order (caller frees with schema_free) */
        size_t n;        /* number of fields */
        json_t *missing; /* missingValues (borrowed); NULL means [""] */
        size_t *pk;      /* indexes of the primary key's fields */
        size_t npk;      /* their number (0: no primary key) */
};

/* Frees what s holds (not s) and zeroes it; a zeroed schema is fine. */
static void schema_free(struct schema *s)
{
        free(s->f);
        free(s->pk);
        memset(s, 0, sizeof *s);
}

/* A cell's value. */
enum vkind { V_NULL, V_STR, V_INT, V_REAL, V_BOOL };
struct value {
        enum vkind kind;
        const char *s; /* V_STR: the text (borrowed) */
        size_t n;      /* V_STR: its length */
        int64_t i;     /* V_INT; V_BOOL: 0 or 1 */
        double x;      /* V_REAL */
};

/* Why a cell's text is not a value of its field's type. */
enum cellerr { CE_OK, CE_SYNTAX, CE_RANGE };

/* Parses s as [+-]digits. Returns CE_OK, CE_SYNTAX or CE_RANGE. */
static enum cellerr parse_int(const char *s, int64_t *out)
{
        const char *p = s + (*s == '+' || *s == '-');
        if (!*p)
                return CE_SYNTAX;
        for (const char *q = p; *q; q++)
                if (*q < '0' || *q > '9')
                        return CE_SYNTAX;
        errno = 0;
        long long v = strtoll(s, NULL, 10);
        if (errno == ERANGE)
                return CE_RANGE;
        *out = (int64_t)v;
        return CE_OK;
}

/* Parses s as a decimal number with an optional exponent ("-1.5e3", ".5", "2."), into an
 * integer when written as one that fits. Returns CE_OK, CE_SYNTAX or CE_RANGE. */
static enum cellerr parse_num(const char *s, struct value *v)
{
        const char *p = s + (*s == '+' || *s == '-');
        size_t digits = 0;
        bool whole = true;
        while (*p >= '0' && *p <= '9')
                p++, digits++;
        if (*p == '.') {
                whole = false;
                for (p++; *p >= '0' && *p <= '9'; p++)
                        digits++;
        }
        if (!digits)
                return CE_SYNTAX;
        if (*p == 'e' || *p == 'E') {
                whole = false;
                p++;
                p += *p == '+' || *p == '-';
                if (*p < '0' || *p > '9')
                        return CE_SYNTAX;
                while (*p >= '0' && *p <= '9')
                        p++;
        }
        if (*p)
                return CE_SYNTAX;
        if (whole && parse_int(s, &v->i) == CE_OK) {
                v->kind = V_INT;
                return CE_OK;
        }
        double x = strtod(s, NULL);
        if (!isfinite(x))
                return CE_RANGE;
        v->kind = V_REAL;
        v->x = x;
        return CE_OK;
}

/* Writes a number cell's text as plain digits into out (cap bytes): drops group separators,
 * maps the decimal character to '.', and without bareNumber strips text around the number.
 * Returns 0, or -1 when it does not fit. */
static int number_text(const struct field *f, const char *s, size_t n, char *out, size_t cap)
{
        if (!f->bare) {
                while (n &&
                       !((*s >= '0' && *s <= '9') || *s == '-' || *s == '+' || *s == f->decimal))
                        s++, n--;
                while (n && !(s[n - 1] >= '0' && s[n - 1] <= '9'))
                        n--;
        }
        size_t glen = f->group ? strlen(f->group) : 0, o = 0;
        for (size_t i = 0; i < n;) {
                if (glen && n - i >= glen && !memcmp(s + i, f->group, glen)) {
                        i += glen;
                        continue;
                }
                if (o + 1 >= cap)
                        return -1;
                char c = s[i++];
                out[o++] = c == f->decimal ? '.' : c == '.' ? 'x' : c;
        }
        out[o] = '\0';
        return 0;
}

/* True when text is one of the field's (or the default) boolean words for value. */
static bool bool_word(json_t *words, bool value, const char *s)
{
        static const char *const t[] = {"true", "True", "TRUE", "1", NULL};
        static const char *const f[] = {"false", "False", "FALSE", "0", NULL};
        if (words) {
                size_t i;
                json_t *w;
                json_array_foreach(words, i, w)
                {
                        if (!strcmp(json_string_value(w), s))
                                return true;
                }
                return false;
        }
        for (const char *const *p = value ? t : f; *p; p++)
                if (!strcmp(*p, s))
                        return true;
        return false;
}

/* Reads the NUL-terminated cell text s (n bytes) as a value of field f. Returns CE_OK with
 * *v set, or why it cannot. */
static enum cellerr convert(const struct field *f, const char *s, size_t n, struct value *v)
{
        char tmp[128];
        struct gdate g;
        const char *why;
        switch (f->type) {
        case FT_STRING:
                v->kind = V_STR;
                v->s = s;
                v->n = n;
                return CE_OK;
        case FT_INTEGER:
        case FT_NUMBER:
                if (f->group || f->decimal != '.' || !f->bare) {
                        if (number_text(f, s, n, tmp, sizeof tmp) < 0)
                                return CE_SYNTAX;
                        s = tmp;
                }
                if (f->type == FT_NUMBER)
                        return parse_num(s, v);
                v->kind = V_INT;
                return parse_int(s, &v->i);
        case FT_YEAR:
                if (n != 4 || strspn(s, "0123456789") != 4)
                        return CE_SYNTAX;
                v->kind = V_INT;
                v->i = atoi(s);
                return CE_OK;
        case FT_DATE:
                if (n != 10 || s[4] != '-' || s[7] != '-' || date_parse(s, 0, &g, &why) < 0)
                        return CE_SYNTAX;
                v->kind = V_STR;
                v->s = s;
                v->n = n;
                return CE_OK;
        case FT_BOOLEAN:
                v->kind = V_BOOL;
                v->i = bool_word(f->trues, true, s);
                if (v->i || bool_word(f->falses, false, s))
                        return CE_OK;
                return CE_SYNTAX;
        }
        return CE_SYNTAX;
}

/* What a valid cell of type t is, for messages. */
static const char *type_noun(enum ftype t)
{
        static const char *const nouns[] = {"a string",      "an integer",
                                            "a number",      "a date (YYYY-MM-DD)",
                                            "a year (YYYY)", "a boolean"};
        return nouns[t];
}

/* A new json value for v. */
static json_t *value_json(const struct value *v)
{
        switch (v->kind) {
        case V_STR:
                return json_stringn_nocheck(v->s, v->n);
        case V_INT:
                return json_integer(v->i);
        case V_REAL:
                return json_real(v->x);
        case V_BOOL:
                return json_boolean(v->i);
        case V_NULL:
                break;
        }
        return json_null();
}

/* Appends v's identity to key: equal logical values give equal bytes ("1" and "1.0" in a
 * number field, "+1" and "1" in an integer field). */
static void key_part(struct buf *key, const struct field *f, const struct value *v)
{
        if (f->type == FT_NUMBER) {
                double x = v->kind == V_INT ? (double)v->i : v->x;
                if (x == 0)
                        x = 0; /* -0 */
                buf_putc(key, 'D');
                buf_put(key, &x, sizeof x);
        } else if (v->kind == V_STR) {
                buf_putc(key, 'S');
                buf_put(key, &v->n, sizeof v->n);
                buf_put(key, v->s, v->n);
        } else {
                buf_putc(key, 'I');
                buf_put(key, &v->i, sizeof v->i);
        }
}

/* ---- key sets (primary keys, unique fields) ---- */

/* One key: its bytes in the set's arena and the line where it was first seen. */
struct kent {
        uint64_t hash;
        size_t off, len;
        int line;
};

/* A set of byte strings, each remembering a line. Zero-initialise; free with keyset_free. */
struct keyset {
        struct buf bytes;  /* the keys, back to back */
        struct kent *ents; /* the keys in order of arrival */
        size_t n, cap;     /* used and allocated entries */
        uint32_t *slots;   /* open addressing: 1 + index into ents, 0 when empty */
        size_t nslots;     /* a power of two, at least twice n */
};

/* Frees what k holds (not k) and zeroes it. */
static void keyset_free(struct keyset *k)
{
        buf_free(&k->bytes);
        free(k->ents);
        free(k->slots);
        memset(k, 0, sizeof *k);
}

/* FNV-1a. */
static uint64_t hash_bytes(const void *p, size_t n)
{
        const unsigned char *s = p;
        uint64_t h = 1469598103934665603ULL;
        for (size_t i = 0; i < n; i++) {
                h ^= s[i];
                h *= 1099511628211ULL;
        }
        return h;
}

/* Adds key (len bytes) seen at line. Returns 0 when it is new, else the line where it was
 * first seen. */
static int keyset_add(struct keyset *k, const void *key, size_t len, int line)
{
        uint64_t h = hash_bytes(key, len);
        if ((k->n + 1) * 2 > k->nslots) {
                size_t ns = k->nslots ? k->nslots * 2 : 64;
                uint32_t *slots = xcalloc(ns, sizeof *slots);
                for (size_t i = 0; i < k->n; i++) {
                        size_t j = (size_t)k->ents[i].hash & (ns - 1);
                        while (slots[j])
                                j = (j + 1) & (ns - 1);
                        slots[j] = (uint32_t)(i + 1);
                }
                free(k->slots);
                k->slots = slots;
                k->nslots = ns;
        }
        size_t j = (size_t)h & (k->nslots - 1);
        for (; k->slots[j]; j = (j + 1) & (k->nslots - 1)) {
                const struct kent *e = &k->ents[k->slots[j] - 1];
                if (e->hash == h && e->len == len && !memcmp(k->bytes.data + e->off, key, len))
                        return e->line;
        }
        if (k->n == k->cap) {
                k->cap = k->cap ? k->cap * 2 : 64;
                k->ents = xrealloc(k->ents, k->cap * sizeof *k->ents);
        }
        k->ents[k->n] = (struct kent){h, k->bytes.len, len, line};
        buf_put(&k->bytes, key, len);
        k->slots[j] = (uint32_t)++k->n;
        return 0;
}

/* ---- a resource's CSV against its schema ---- */

/* State of one table being read. */
struct table {
        const struct schema *s; /* its schema */
        struct errs *e;         /* the file's errors */
        json_t *rows;           /* typed rows, kept while the file has no error */
        size_t nrows;           /* data rows read */
        bool header_seen;       /* the first record has been read */
        struct value *vals;     /* the current row's values (s->n) */
        bool *ok;               /* which of them are valid */
        struct keyset pk;       /* primary keys seen */
        struct keyset *uniq;    /* per field: values seen, for unique fields */
        struct buf key, tmp;    /* scratch */
};

/* Checks the header record against the schema's field names. */
static void check_header(struct table *t, struct reader *r, int line)
{
        size_t nf = t->s->n, n = r->ncells < nf ? r->ncells : nf;
        for (size_t i = 0; i < n; i++)
                if (strcmp(cell_text(r, i), t->s->f[i].name))
                        err_at(t->e, line, (int)i + 1, "header has '%s' where the schema has '%s'",
                               shown(&t->tmp, cell_text(r, i), r->cells[i].len), t->s->f[i].name);
        if (r->ncells < nf)
                err_at(t->e, line, (int)r->ncells + 1,
                       "header ends before '%s': the schema has %zu fields", t->s->f[n].name, nf);
        else if (r->ncells > nf)
                err_at(t->e, line, (int)nf + 1, "header has %zu columns where the schema has %zu",
                       r->ncells, nf);
}

/* True when the cell text is one of the schema's missing values. */
static bool is_missing(const struct schema *s, const char *text, size_t n)
{
        if (!s->missing)
                return n == 0;
        size_t i;
        json_t *m;
        json_array_foreach(s->missing, i, m)
        {
                if (json_string_length(m) == n && !memcmp(json_string_value(m), text, n))
                        return true;
        }
        return false;
}

/* Validates one cell (column i) into t->vals[i] / t->ok[i], reporting what is wrong. */
static void check_cell(struct table *t, struct reader *r, int line, size_t i)
{
        const struct field *f = &t->s->f[i];
        const char *text = cell_text(r, i);
        size_t n = r->cells[i].len;
        struct value *v = &t->vals[i];
        int col = (int)i + 1;
        t->ok[i] = false;
        v->kind = V_NULL;
        if (is_missing(t->s, text, n)) {
                if (f->required) {
                        err_at(t->e, line, col,
                               "missing value \"%s\" in a required field (field %s)",
                               shown(&t->tmp, text, n), f->name);
                        return;
                }
                t->ok[i] = true;
                return;
        }
        enum cellerr ce = convert(f, text, n, v);
        if (ce != CE_OK) {
                bool comma = f->type == FT_NUMBER && !f->group && memchr(text, ',', n);
                err_at(
                    t->e, line, col, "\"%s\" %s %s (field %s)%s", shown(&t->tmp, text, n),
                    ce == CE_RANGE ? "is out of range for" : "is not", type_noun(f->type), f->name,
                    comma ? "; to allow thousands separators, give the field \"groupChar\": \",\""
                          : "");
                v->kind = V_NULL;
                return;
        }
        t->ok[i] = true;
        if (f->unique) {
                buf_reset(&t->key);
                key_part(&t->key, f, v);
                int first = keyset_add(&t->uniq[i], t->key.data, t->key.len, line);
                if (first)
                        err_at(t->e, line, col, "\"%s\" is not unique (field %s), first at line %d",
                               shown(&t->tmp, text, n), f->name, first);
        }
}

/* Checks that the row's primary key is new. */
static void check_key(struct table *t, struct reader *r, int line)
{
        const struct schema *s = t->s;
        buf_reset(&t->key);
        for (size_t k = 0; k < s->npk; k++) {
                size_t i = s->pk[k];
                if (i >= r->ncells || !t->ok[i] || t->vals[i].kind == V_NULL)
                        return;
                key_part(&t->key, &s->f[i], &t->vals[i]);
        }
        int first = keyset_add(&t->pk, t->key.data, t->key.len, line);
        if (!first)
                return;
        struct buf vals = {0}, names = {0};
        for (size_t k = 0; k < s->npk; k++) {
                size_t i = s->pk[k];
                buf_printf(&vals, "%s\"%s\"", k ? ", " : "",
                           shown(&t->tmp, cell_text(r, i), r->cells[i].len));
                buf_printf(&names, "%s%s", k ? ", " : "", s->f[i].name);
        }
        err_at(t->e, line, (int)s->pk[0] + 1, "duplicate primary key %s (%s), first at line %d",
               buf_cstr(&vals), buf_cstr(&names), first);
        buf_free(&vals);
        buf_free(&names);
}

/* The record handler of a resource's CSV: header check, then one typed row per record. */
static int table_row(void *ctx, struct reader *r, int line)
{
        struct table *t = ctx;
        if (!t->header_seen) {
                t->header_seen = true;
                check_header(t, r, line);
                return 0;
        }
        if (++t->nrows > DATASET_MAX_ROWS) {
                err_at(t->e, line, 1, "more than %d rows: split the table into several files",
                       DATASET_MAX_ROWS);
                return -1;
        }
        size_t nf = t->s->n, n = r->ncells < nf ? r->ncells : nf;
        if (r->ncells != nf)
                err_at(t->e, line, (int)(r->ncells < nf ? r->ncells : nf) + 1,
                       "row has %zu cells where the schema has %zu fields", r->ncells, nf);
        for (size_t i = 0; i < n; i++)
                check_cell(t, r, line, i);
        if (t->s->npk)
                check_key(t, r, line);
        if (t->e->n)
                return 0;
        json_t *row = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(row, value_json(&t->vals[i]));
        json_array_append_new(t->rows, row);
        return 0;
}

/* The schema's fields as the table shows them: [{name, type, title, unit?, description?}]. */
static json_t *fields_json(json_t *jfields, const struct schema *s)
{
        json_t *out = json_array();
        for (size_t i = 0; i < s->n; i++) {
                json_t *jf = json_array_get(jfields, i), *v;
                json_t *f =
                    json_pack("{s:s, s:s}", "name", s->f[i].name, "type", type_names[s->f[i].type]);
                v = json_object_get(jf, "title");
                json_object_set_new(f, "title",
                                    json_string(v ? json_string_value(v) : s->f[i].name));
                if ((v = json_object_get(jf, "unit")))
                        json_object_set(f, "unit", v);
                if ((v = json_object_get(jf, "description")))
                        json_object_set(f, "description", v);
                json_array_append_new(out, f);
        }
        return out;
}

/* Reads file and validates it against s. On success sets csv_text, bytes and table
 * {fields, rows} on res (jfields: the schema's "fields" array) and returns 0; else -1
 * after reporting. *size is set to the file's size on disk (or -1). */
static int load_csv(const char *file, const struct schema *s, json_t *jfields, json_t *res,
                    long long *size, struct diag *d) WUR;
static int load_csv(const char *file, const struct schema *s, json_t *jfields, json_t *res,
                    long long *size, struct diag *d)
{
        struct errs e = {d, file, 0, 0, 0};
        struct buf text = {0};
        struct table t = {.s = s, .e = &e};
        struct reader r = {0};
        struct stat st;
        int rc = -1;
        *size = -1;
        if (stat(file, &st) == 0 && st.st_size > DATASET_MAX_BYTES) {
                diag_error(d, file, 0, 0, "file larger than %ld MB", DATASET_MAX_BYTES >> 20);
                goto out;
        }
        if (fsio_read(file, &text, d) < 0)
                goto out;
        *size = (long long)text.len;
        const char *csv = buf_cstr(&text);
        size_t bom = bom_len(csv, text.len), len = text.len - bom;
        csv += bom;
        if (check_utf8(file, 1, csv, len, d) < 0)
                goto out;
        t.rows = json_array();
        t.vals = xcalloc(s->n ? s->n : 1, sizeof *t.vals);
        t.ok = xcalloc(s->n ? s->n : 1, sizeof *t.ok);
        t.uniq = xcalloc(s->n ? s->n : 1, sizeof *t.uniq);
        r.path = file;
        r.first_line = 1;
        r.errs = &e;
        r.row = table_row;
        r.ctx = &t;
        if (csv_read(&r, csv, len) < 0 || e.n)
                goto out;
        if (!t.header_seen) {
                struct buf names = {0};
                for (size_t i = 0; i < s->n; i++)
                        buf_printf(&names, "%s%s", i ? "," : "", s->f[i].name);
                err_at(&e, 1, 1, "empty file: the first line must be the header: %s",
                       buf_cstr(&names));
                buf_free(&names);
                goto out;
        }
        json_object_set_new(res, "csv_text", json_stringn_nocheck(csv, len));
        json_object_set_new(res, "bytes", json_integer((json_int_t)len));
        json_object_set_new(
            res, "table",
            json_pack("{s:o, s:O}", "fields", fields_json(jfields, s), "rows", t.rows));
        rc = 0;
out:
        errs_finish(&e);
        json_decref(t.rows);
        free(t.vals);
        free(t.ok);
        if (t.uniq)
                for (size_t i = 0; i < s->n; i++)
                        keyset_free(&t.uniq[i]);
        free(t.uniq);
        keyset_free(&t.pk);
        buf_free(&t.key);
        buf_free(&t.tmp);
        buf_free(&text);
        return rc;
}

/* ---- the descriptor ---- */

/* State of one datapackage.json being checked. */
struct desc {
        const char *path; /* datapackage.json */
        const char *text; /* its text, to find where keys are */
        size_t len;       /* its length */
        struct diag *d;   /* where messages go */
        json_t *cfg;      /* the site config */
        int tz;           /* the site's offset, for bare dates */
        int rc;           /* -1 once anything is wrong */
        int nerr;         /* descriptor errors reported so far */
};

/* Reports a descriptor error at byte offset at of its text. */
__attribute__((format(printf, 3, 4))) static void derr(struct desc *c, size_t at, const char *fmt,
                                                       ...)
{
        int line = 1, col = 1;
        if (c->text && at < c->len)
                offset_pos(c->text, at, 1, &line, &col);
        struct buf b = {0};
        va_list ap;
        va_start(ap, fmt);
        buf_vprintf(&b, fmt, ap);
        va_end(ap);
        diag_error(c->d, c->path, line, col, "%s", buf_cstr(&b));
        buf_free(&b);
        c->rc = -1;
        c->nerr++;
}

/* Offset just past the JSON string whose opening quote is at i. */
static size_t skip_str(const char *t, size_t n, size_t i)
{
        for (i++; i < n; i++) {
                if (t[i] == '\\')
                        i++;
                else if (t[i] == '"')
                        return i + 1;
        }
        return n;
}

/* Offset of the first non-blank byte at or after i. */
static size_t skip_ws(const char *t, size_t n, size_t i)
{
        while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
                i++;
        return i;
}

/* Finds key among the members of the object whose '{' is at offset obj of the text (keys
 * compared as written). Returns the offset of the key's opening quote, or of its value when
 * value is true; obj when not found. No recursion: nesting is a counter. */
static size_t key_at(const struct desc *c, size_t obj, const char *key, bool value)
{
        const char *t = c->text;
        size_t n = c->len, klen = strlen(key);
        if (!t || obj >= n || t[obj] != '{')
                return obj;
        long depth = 0;
        for (size_t i = obj + 1; i < n;) {
                char ch = t[i];
                if (ch == '"') {
                        size_t end = skip_str(t, n, i);
                        if (depth == 0 && end - i >= 2) {
                                size_t j = skip_ws(t, n, end);
                                if (j < n && t[j] == ':' && end - i - 2 == klen &&
                                    !memcmp(t + i + 1, key, klen))
                                        return value ? skip_ws(t, n, j + 1) : i;
                        }
                        i = end;
                        continue;
                }
                if (ch == '{' || ch == '[')
                        depth++;
                else if (ch == '}' || ch == ']') {
                        if (depth == 0)
                                break;
                        depth--;
                }
                i++;
        }
        return obj;
}

/* Offset of element idx of the array whose '[' is at offset arr; arr when not found. */
static size_t elem_at(const struct desc *c, size_t arr, size_t idx)
{
        const char *t = c->text;
        size_t n = c->len, count = 0;
        if (!t || arr >= n || t[arr] != '[')
                return arr;
        size_t i = skip_ws(t, n, arr + 1);
        if (idx == 0)
                return i;
        long depth = 0;
        while (i < n) {
                char ch = t[i];
                if (ch == '"') {
                        i = skip_str(t, n, i);
                        continue;
                }
                if (ch == '{' || ch == '[')
                        depth++;
                else if (ch == '}' || ch == ']') {
                        if (depth == 0)
                                break;
                        depth--;
                } else if (ch == ',' && depth == 0 && ++count == idx)
                        return skip_ws(t, n, i + 1);
                i++;
        }
        return arr;
}

/* "where.key", or "key" at the top level. Caller frees. */
static char *dotted(const char *where, const char *key)
{
        return xasprintf("%s%s%s", where, *where ? "." : "", key);
}

/* Reports every key of obj (at offset at) that is not in keys. */
static void check_keys(struct desc *c, json_t *obj, size_t at, const char *where,
                       const char *const *keys)
{
        const char *k;
        json_t *v;
        json_object_foreach(obj, k, v)
        {
                const char *const *p = keys;
                while (*p && strcmp(*p, k))
                        p++;
                if (*p)
                        continue;
                struct buf list = {0};
                for (p = keys; *p; p++)
                        buf_printf(&list, "%s%s", p == keys ? "" : ", ", *p);
                derr(c, key_at(c, at, k, false), "unknown key '%s'%s%s (known: %s)", k,
                     *where ? " in " : "", where, buf_cstr(&list));
                buf_free(&list);
        }
}

/* The words of the messages for a json type (JSON_TRUE stands for a boolean). */
static const char *type_word(json_type type)
{
        switch (type) {
        case JSON_STRING:
                return "a string";
        case JSON_ARRAY:
                return "a list [...]";
        case JSON_OBJECT:
                return "an object {...}";
        case JSON_INTEGER:
                return "a whole number";
        default:
                return "true or false";
        }
}

/* obj[key] when it has the given json type (JSON_TRUE: either boolean). Returns it
 * (borrowed), or NULL when absent, or after reporting when of another type. */
static json_t *want(struct desc *c, json_t *obj, size_t at, const char *where, const char *key,
                    json_type type)
{
        json_t *v = json_object_get(obj, key);
        if (!v)
                return NULL;
        bool ok = type == JSON_TRUE ? json_is_boolean(v) : json_typeof(v) == type;
        if (!ok) {
                char *name = dotted(where, key);
                derr(c, key_at(c, at, key, true), "%s must be %s", name, type_word(type));
                free(name);
                return NULL;
        }
        return v;
}

/* Reports a missing required key of the object at offset at. */
static void missing_key(struct desc *c, size_t at, const char *where, const char *key)
{
        derr(c, at, "missing required key '%s'%s%s", key, *where ? " in " : "", where);
}

/* obj[key] as a list whose items all have the given type. Returns it (borrowed), or NULL when
 * absent, or after reporting. */
static json_t *want_list(struct desc *c, json_t *obj, size_t at, const char *where, const char *key,
                         json_type type)
{
        json_t *list = want(c, obj, at, where, key, JSON_ARRAY), *v;
        size_t i;
        if (!list)
                return NULL;
        size_t lat = key_at(c, at, key, true);
        bool ok = true;
        json_array_foreach(list, i, v)
        {
                if (json_typeof(v) != type) {
                        char *name = dotted(where, key);
                        derr(c, elem_at(c, lat, i), "%s[%zu] must be %s", name, i, type_word(type));
                        free(name);
                        ok = false;
                }
        }
        return ok ? list : NULL;
}

/* Copies the string obj[key] into out[key]; "" when absent and always. */
static void copy_str(struct desc *c, json_t *obj, size_t at, const char *where, const char *key,
                     json_t *out, bool always)
{
        json_t *v = want(c, obj, at, where, key, JSON_STRING);
        const char *bad = NULL;
        for (const char *p = json_string_value(v); p && *p && !bad; p++)
                if (((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') ||
                    *p == 0x7F)
                        bad = p;
        if (bad) {
                char *k = dotted(where, key);
                derr(c, key_at(c, at, key, true),
                     "%s holds the control character U+%04X (written as a \\u escape?)", k,
                     (unsigned)(unsigned char)*bad);
                free(k);
                v = NULL;
        }
        if (v)
                json_object_set(out, key, v);
        else if (always && !json_object_get(obj, key))
                json_object_set_new(out, key, json_string(""));
}

/* Parses the date string obj[key] into out: name (RFC 3339), name_zh and, when full, also
 * name_epoch and name_offset. Returns 0 (also when absent) or -1 after reporting. */
static int take_date(struct desc *c, json_t *obj, size_t at, const char *where, const char *key,
                     json_t *out, const char *name, bool full)
{
        json_t *v = want(c, obj, at, where, key, JSON_STRING);
        if (!v)
                return json_object_get(obj, key) ? -1 : 0;
        struct gdate g;
        const char *why;
        if (date_parse(json_string_value(v), c->tz, &g, &why) < 0) {
                char *what = dotted(where, key);
                derr(c, key_at(c, at, key, true), "%s '%s': %s", what, json_string_value(v), why);
                free(what);
                return -1;
        }
        struct buf b = {0};
        char *k;
        date_rfc3339(&b, &g);
        json_object_set_new(out, name, json_string(buf_cstr(&b)));
        if (full) {
                k = xasprintf("%s_epoch", name);
                json_object_set_new(out, k, json_integer(g.epoch));
                free(k);
                k = xasprintf("%s_offset", name);
                json_object_set_new(out, k, json_integer(g.offset));
                free(k);
        }
        buf_reset(&b);
        date_zh(&b, &g);
        k = xasprintf("%s_zh", name);
        json_object_set_new(out, k, json_string(buf_cstr(&b)));
        free(k);
        buf_free(&b);
        return 0;
}

/* Each item of a list of objects: the object, its offset, and its name for messages ("key[i]";
 * caller frees). Returns false (after reporting) for an item that is not an object. */
static bool item(struct desc *c, json_t *list, size_t lat, const char *key, size_t i, json_t **obj,
                 size_t *at, char **where)
{
        *obj = json_array_get(list, i);
        *at = elem_at(c, lat, i);
        *where = xasprintf("%s[%zu]", key, i);
        if (json_is_object(*obj))
                return true;
        derr(c, *at, "%s must be an object {...}", *where);
        free(*where);
        *where = NULL;
        return false;
}

/* topics: a list of slugs defined in site.yaml. */
static void load_topics(struct desc *c, json_t *root, size_t at, json_t *out)
{
        json_t *list = want_list(c, root, at, "", "topics", JSON_STRING), *v;
        json_t *topics = json_array();
        json_object_set_new(out, "topics", topics);
        size_t i, lat = key_at(c, at, "topics", true);
        json_array_foreach(list, i, v)
        {
                const char *slug = json_string_value(v);
                bool found = false;
                size_t j;
                json_t *t;
                json_array_foreach(json_object_get(c->cfg, "topics"), j, t)
                {
                        if (json_equal(json_object_get(t, "slug"), v))
                                found = true;
                }
                if (!found)
                        derr(c, elem_at(c, lat, i),
                             "unknown topic '%s' (define it under topics: in site.yaml)", slug);
                json_array_append(topics, v);
        }
}

/* sources: [{title, path?, email?, version?, date?}] -> [{title, path?, date?, date_zh?}]. */
/* A source's or licence's path becomes a link on the dataset page: it must be an http(s)
 * URL (javascript:, data: and the like are refused, relative paths would point nowhere).
 * o holds the copied keys; at is the entry's offset. Drops a bad path after reporting. */
static void check_link(struct desc *c, json_t *o, size_t at, const char *where)
{
        const char *p = json_string_value(json_object_get(o, "path"));
        if (!p || ((!strncmp(p, "https://", 8) || !strncmp(p, "http://", 7)) &&
                   escape_url_is_safe(p) && !strpbrk(p, " \"'<>\\`")))
                return;
        derr(c, key_at(c, at, "path", true),
             "%s.path '%s' must be an http(s) URL such as \"https://example.org/\"", where, p);
        json_object_del(o, "path");
}

static void load_sources(struct desc *c, json_t *root, size_t at, json_t *out)
{
        static const char *const keys[] = {"title", "path", "email", "version", "date", NULL};
        json_t *list = want(c, root, at, "", "sources", JSON_ARRAY), *res = json_array();
        json_object_set_new(out, "sources", res);
        size_t lat = key_at(c, at, "sources", true);
        for (size_t i = 0; i < json_array_size(list); i++) {
                json_t *s, *o;
                size_t sat;
                char *where;
                if (!item(c, list, lat, "sources", i, &s, &sat, &where))
                        continue;
                check_keys(c, s, sat, where, keys);
                o = json_object();
                if (!json_object_get(s, "title"))
                        missing_key(c, sat, where, "title");
                copy_str(c, s, sat, where, "title", o, false);
                copy_str(c, s, sat, where, "path", o, false);
                check_link(c, o, sat, where);
                want(c, s, sat, where, "email", JSON_STRING);
                want(c, s, sat, where, "version", JSON_STRING);
                (void)take_date(c, s, sat, where, "date", o, "date", false);
                json_array_append_new(res, o);
                free(where);
        }
}

/* licenses: [{name?, title?, path?}], each with a name or a path. */
static void load_licenses(struct desc *c, json_t *root, size_t at, json_t *out)
{
        static const char *const keys[] = {"name", "title", "path", NULL};
        json_t *list = want(c, root, at, "", "licenses", JSON_ARRAY), *res = json_array();
        json_object_set_new(out, "licenses", res);
        size_t lat = key_at(c, at, "licenses", true);
        for (size_t i = 0; i < json_array_size(list); i++) {
                json_t *l, *o;
                size_t lnat;
                char *where;
                if (!item(c, list, lat, "licenses", i, &l, &lnat, &where))
                        continue;
                check_keys(c, l, lnat, where, keys);
                if (!json_object_get(l, "name") && !json_object_get(l, "path"))
                        derr(c, lnat, "%s needs a name (e.g. \"CC-BY-4.0\") or a path", where);
                o = json_object();
                copy_str(c, l, lnat, where, "name", o, false);
                copy_str(c, l, lnat, where, "title", o, false);
                copy_str(c, l, lnat, where, "path", o, false);
                check_link(c, o, lnat, where);
                json_array_append_new(res, o);
                free(where);
        }
}

/* revisions: [{date, reason: "revision" | "correction", note?}]. */
static void load_revisions(struct desc *c, json_t *root, size_t at, json_t *out)
{
        static const char *const keys[] = {"date", "reason", "note", NULL};
        json_t *list = want(c, root, at, "", "revisions", JSON_ARRAY), *res = json_array();
        json_object_set_new(out, "revisions", res);
        size_t lat = key_at(c, at, "revisions", true);
        for (size_t i = 0; i < json_array_size(list); i++) {
                json_t *r, *o, *reason;
                size_t rat;
                char *where;
                if (!item(c, list, lat, "revisions", i, &r, &rat, &where))
                        continue;
                check_keys(c, r, rat, where, keys);
                o = json_object();
                if (!json_object_get(r, "date"))
                        missing_key(c, rat, where, "date");
                (void)take_date(c, r, rat, where, "date", o, "date", false);
                if (!json_object_get(r, "reason"))
                        missing_key(c, rat, where, "reason");
                else if ((reason = want(c, r, rat, where, "reason", JSON_STRING))) {
                        const char *s = json_string_value(reason);
                        if (strcmp(s, "revision") && strcmp(s, "correction"))
                                derr(c, key_at(c, rat, "reason", true),
                                     "%s.reason '%s' must be \"revision\" or \"correction\"", where,
                                     s);
                        json_object_set(o, "reason", reason);
                }
                copy_str(c, r, rat, where, "note", o, true);
                json_array_append_new(res, o);
                free(where);
        }
}

/* Index of the field called name in s, or -1. */
static long field_index(const struct schema *s, const char *name)
{
        for (size_t i = 0; i < s->n; i++)
                if (!strcmp(s->f[i].name, name))
                        return (long)i;
        return -1;
}

/* chart: {type?, x, y, title?, subtitle?}; x and y name fields of the first resource (first
 * is NULL when its schema was unusable), y numeric ones. */
static void load_chart(struct desc *c, json_t *root, size_t at, const struct schema *first,
                       const char *first_name, json_t *out)
{
        static const char *const keys[] = {"type", "x", "y", "title", "subtitle", NULL};
        static const char *const types[] = {"bar", "hbar", "grouped", "stacked", "line", NULL};
        json_t *ch = want(c, root, at, "", "chart", JSON_OBJECT), *v;
        if (!ch)
                return;
        size_t cat = key_at(c, at, "chart", true);
        check_keys(c, ch, cat, "chart", keys);
        json_t *o = json_object();
        json_object_set_new(out, "chart", o);
        const char *type = "bar";
        if ((v = want(c, ch, cat, "chart", "type", JSON_STRING))) {
                type = json_string_value(v);
                const char *const *p = types;
                while (*p && strcmp(*p, type))
                        p++;
                if (!*p)
                        derr(c, key_at(c, cat, "type", true),
                             "chart.type '%s' is not one of bar, hbar, grouped, stacked, line",
                             type);
        }
        json_object_set_new(o, "type", json_string(type));
        if (!json_object_get(ch, "x"))
                missing_key(c, cat, "chart", "x");
        else if ((v = want(c, ch, cat, "chart", "x", JSON_STRING))) {
                if (first && field_index(first, json_string_value(v)) < 0)
                        derr(c, key_at(c, cat, "x", true),
                             "chart.x '%s' is not a field of resource '%s'", json_string_value(v),
                             first_name);
                json_object_set(o, "x", v);
        }
        json_t *y = json_object_get(ch, "y"), *ys = json_array();
        json_object_set_new(o, "y", ys);
        size_t yat = key_at(c, cat, "y", true);
        if (!y)
                missing_key(c, cat, "chart", "y");
        else if (json_is_string(y))
                json_array_append(ys, y);
        else if (json_is_array(y) && json_array_size(y) >= 1 &&
                 json_array_size(y) <= DATASET_MAX_SERIES) {
                size_t i;
                json_array_foreach(y, i, v)
                {
                        if (json_is_string(v))
                                json_array_append(ys, v);
                        else
                                derr(c, elem_at(c, yat, i), "chart.y[%zu] must be a string", i);
                }
        } else
                derr(c, yat, "chart.y must be a field name or a list of 1 to %d field names",
                     DATASET_MAX_SERIES);
        for (size_t i = 0; first && i < json_array_size(ys); i++) {
                const char *name = json_string_value(json_array_get(ys, i));
                size_t pos = json_is_array(y) ? elem_at(c, yat, i) : yat;
                long fi = field_index(first, name);
                if (fi < 0)
                        derr(c, pos, "chart.y '%s' is not a field of resource '%s'", name,
                             first_name);
                else if (first->f[fi].type != FT_INTEGER && first->f[fi].type != FT_NUMBER)
                        derr(c, pos,
                             "chart.y '%s' is not numeric (its type is %s; a series needs "
                             "integer or number)",
                             name, type_names[first->f[fi].type]);
        }
        copy_str(c, ch, cat, "chart", "title", o, false);
        copy_str(c, ch, cat, "chart", "subtitle", o, false);
}

/* One field descriptor (schema.fields[i], at offset fat) into f. */
static void load_field(struct desc *c, json_t *jf, size_t fat, const char *where, struct field *f)
{
        static const char *const keys[] = {"name",        "title",      "type",        "format",
                                           "description", "example",    "constraints", "rdfType",
                                           "unit",        "trueValues", "falseValues", "groupChar",
                                           "decimalChar", "bareNumber", NULL};
        json_t *v;
        check_keys(c, jf, fat, where, keys);
        f->name = "";
        f->type = FT_STRING;
        f->bare = true;
        f->decimal = '.';
        if (!json_object_get(jf, "name"))
                missing_key(c, fat, where, "name");
        else if ((v = want(c, jf, fat, where, "name", JSON_STRING))) {
                f->name = json_string_value(v);
                if (!*f->name)
                        derr(c, key_at(c, fat, "name", true), "%s.name must not be empty", where);
        }
        want(c, jf, fat, where, "title", JSON_STRING);
        want(c, jf, fat, where, "description", JSON_STRING);
        want(c, jf, fat, where, "unit", JSON_STRING);
        want(c, jf, fat, where, "rdfType", JSON_STRING);
        if ((v = want(c, jf, fat, where, "type", JSON_STRING))) {
                const char *t = json_string_value(v);
                size_t k = 0;
                while (type_names[k] && strcmp(type_names[k], t))
                        k++;
                if (type_names[k])
                        f->type = (enum ftype)k;
                else
                        derr(c, key_at(c, fat, "type", true),
                             "%s.type '%s' is not supported: use string, integer, number, date, "
                             "year or boolean",
                             where, t);
        }
        if ((v = want(c, jf, fat, where, "format", JSON_STRING)) && f->type != FT_STRING &&
            strcmp(json_string_value(v), "default"))
                derr(c, key_at(c, fat, "format", true),
                     "%s.format '%s' is not supported for type %s (only \"default\")", where,
                     json_string_value(v), type_names[f->type]);
        f->trues = want_list(c, jf, fat, where, "trueValues", JSON_STRING);
        f->falses = want_list(c, jf, fat, where, "falseValues", JSON_STRING);
        if ((v = want(c, jf, fat, where, "groupChar", JSON_STRING))) {
                f->group = json_string_value(v);
                if (!*f->group || json_string_length(v) > 4 || strpbrk(f->group, "0123456789"))
                        derr(c, key_at(c, fat, "groupChar", true),
                             "%s.groupChar must be one character such as \",\"", where);
        }
        if ((v = want(c, jf, fat, where, "decimalChar", JSON_STRING))) {
                const char *s = json_string_value(v);
                if (strlen(s) != 1 || (*s >= '0' && *s <= '9') || (unsigned char)*s >= 0x80)
                        derr(c, key_at(c, fat, "decimalChar", true),
                             "%s.decimalChar must be one ASCII character such as \".\"", where);
                else
                        f->decimal = *s;
        }
        if (f->group && f->decimal != '.' && strchr(f->group, f->decimal))
                derr(c, fat, "%s: groupChar and decimalChar must differ", where);
        if ((v = want(c, jf, fat, where, "bareNumber", JSON_TRUE)))
                f->bare = json_is_true(v);
        json_t *cons = want(c, jf, fat, where, "constraints", JSON_OBJECT);
        if (cons) {
                char *cw = dotted(where, "constraints");
                size_t cat = key_at(c, fat, "constraints", true);
                const char *k;
                json_object_foreach(cons, k, v)
                {
                        if (strcmp(k, "required") && strcmp(k, "unique"))
                                derr(c, key_at(c, cat, k, false),
                                     "constraint '%s' is not supported (only required and "
                                     "unique)",
                                     k);
                }
                if ((v = want(c, cons, cat, cw, "required", JSON_TRUE)))
                        f->required = json_is_true(v);
                if ((v = want(c, cons, cat, cw, "unique", JSON_TRUE)))
                        f->unique = json_is_true(v);
                free(cw);
        }
}

/* A resource's schema (at offset sat; where: "resources[i].schema") into s. Returns 0, or -1
 * after reporting. */
static int load_schema(struct desc *c, json_t *js, size_t sat, const char *where,
                       struct schema *s) WUR;
static int load_schema(struct desc *c, json_t *js, size_t sat, const char *where, struct schema *s)
{
        static const char *const keys[] = {"$schema", "fields", "primaryKey", "missingValues",
                                           NULL};
        int before = c->nerr;
        memset(s, 0, sizeof *s);
        check_keys(c, js, sat, where, keys);
        want(c, js, sat, where, "$schema", JSON_STRING);
        json_t *fields = json_object_get(js, "fields");
        if (!fields) {
                missing_key(c, sat, where, "fields");
                return -1;
        }
        if (!want(c, js, sat, where, "fields", JSON_ARRAY))
                return -1;
        size_t fsat = key_at(c, sat, "fields", true), n = json_array_size(fields);
        if (n == 0 || n > DATASET_MAX_FIELDS) {
                derr(c, fsat, "%s.fields must list 1 to %d fields", where, DATASET_MAX_FIELDS);
                return -1;
        }
        s->f = xcalloc(n, sizeof *s->f);
        s->n = n;
        char *fw = dotted(where, "fields");
        for (size_t i = 0; i < n; i++) {
                json_t *jf;
                size_t fat;
                char *w;
                if (!item(c, fields, fsat, fw, i, &jf, &fat, &w)) {
                        s->f[i].name = "";
                        continue;
                }
                load_field(c, jf, fat, w, &s->f[i]);
                for (size_t j = 0; j < i && *s->f[i].name; j++)
                        if (!strcmp(s->f[j].name, s->f[i].name)) {
                                derr(c, key_at(c, fat, "name", true),
                                     "%s.name '%s' repeats %s[%zu].name", w, s->f[i].name, fw, j);
                                break;
                        }
                free(w);
        }
        free(fw);
        json_t *miss = json_object_get(js, "missingValues");
        if (miss)
                s->missing = want_list(c, js, sat, where, "missingValues", JSON_STRING);
        json_t *pk = json_object_get(js, "primaryKey");
        size_t pat = key_at(c, sat, "primaryKey", true);
        if (pk && !json_is_string(pk) &&
            !(json_is_array(pk) && json_array_size(pk) >= 1 && json_array_size(pk) <= n))
                derr(c, pat, "%s.primaryKey must be a field name or a list of field names", where);
        else if (pk) {
                size_t np = json_is_string(pk) ? 1 : json_array_size(pk);
                s->pk = xcalloc(np, sizeof *s->pk);
                for (size_t i = 0; i < np; i++) {
                        json_t *name = json_is_string(pk) ? pk : json_array_get(pk, i);
                        size_t at = json_is_string(pk) ? pat : elem_at(c, pat, i);
                        long fi =
                            json_is_string(name) ? field_index(s, json_string_value(name)) : -1;
                        if (!json_is_string(name))
                                derr(c, at, "%s.primaryKey[%zu] must be a field name", where, i);
                        else if (fi < 0)
                                derr(c, at, "%s.primaryKey names '%s', which is not a field", where,
                                     json_string_value(name));
                        else {
                                s->pk[s->npk++] = (size_t)fi;
                                s->f[fi].required = true;
                        }
                }
        }
        return c->nerr > before ? -1 : 0;
}

/* Checks a resource path (at offset pat): a plain relative path inside dir naming a regular
 * file reached without symbolic links. Returns dir/path (caller frees) or NULL after
 * reporting. */
static char *resource_file(struct desc *c, const char *dir, const char *rel, size_t pat,
                           const char *where)
{
        bool bad = !*rel || rel[0] == '/' || strchr(rel, '\\') || strchr(rel, ':');
        for (const char *p = rel; !bad && *p;) {
                size_t n = strcspn(p, "/");
                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && !memcmp(p, "..", 2)))
                        bad = true;
                p += n + (p[n] == '/');
                if (p[-1] == '/' && !*p)
                        bad = true;
        }
        if (bad) {
                derr(c, pat,
                     "%s.path '%s' must be a relative path inside the dataset folder, such as "
                     "\"%s.csv\" (no '..', no leading '/', no '\\', no URL)",
                     where, rel, "data");
                return NULL;
        }
        char *file = xasprintf("%s/%s", dir, rel);
        for (size_t i = strlen(dir) + 1;;) {
                size_t n = strcspn(file + i, "/");
                bool last = file[i + n] == '\0';
                file[i + n] = '\0';
                struct stat st;
                const char *problem = NULL;
                if (lstat(file, &st) < 0)
                        problem = errno == ENOENT ? "does not exist" : strerror(errno);
                else if (S_ISLNK(st.st_mode))
                        problem = "is a symbolic link (copy the file instead)";
                else if (!last && !S_ISDIR(st.st_mode))
                        problem = "is not a folder";
                else if (last && !S_ISREG(st.st_mode))
                        problem = "is not a regular file";
                if (problem) {
                        derr(c, pat, "%s.path '%s': %s %s", where, rel, file, problem);
                        free(file);
                        return NULL;
                }
                if (last)
                        break;
                file[i + n] = '/';
                i += n + 1;
        }
        return file;
}

/* One resource (resources[i] at offset rat) -> its output object, or NULL after reporting.
 * The resource's schema is left in s (caller frees with schema_free). */
static json_t *load_resource(struct desc *c, const char *dir, json_t *r, size_t rat,
                             const char *where, struct schema *s, struct diag *d)
{
        static const char *const keys[] = {
            "$schema",     "name",     "path",    "data",     "type",   "title",
            "description", "homepage", "sources", "licenses", "format", "mediatype",
            "encoding",    "bytes",    "hash",    "dialect",  "schema", NULL};
        static const char *const dkeys[] = {
            "$schema", "header", "delimiter", "quoteChar", "doubleQuote", "lineTerminator", NULL};
        int before = c->nerr;
        bool failed = false;
        json_t *v, *out = json_object();
        char *file = NULL, *dw = NULL;
        memset(s, 0, sizeof *s);
        check_keys(c, r, rat, where, keys);
        static const char *const strs[] = {"$schema",  "title", "description",
                                           "homepage", "hash",  NULL};
        for (const char *const *k = strs; *k; k++)
                want(c, r, rat, where, *k, JSON_STRING);
        want(c, r, rat, where, "sources", JSON_ARRAY);
        want(c, r, rat, where, "licenses", JSON_ARRAY);
        if (json_object_get(r, "data"))
                derr(c, key_at(c, rat, "data", false),
                     "%s: inline data is not supported; put the rows in a CSV file and give its "
                     "path",
                     where);
        if (!json_object_get(r, "name"))
                missing_key(c, rat, where, "name");
        copy_str(c, r, rat, where, "name", out, false);
        const struct {
                const char *key, *want, *alt;
        } fixed[] = {{"type", "table", NULL},
                     {"format", "csv", NULL},
                     {"mediatype", "text/csv", NULL},
                     {"encoding", "utf-8", "UTF-8"}};
        for (size_t k = 0; k < sizeof fixed / sizeof *fixed; k++)
                if ((v = want(c, r, rat, where, fixed[k].key, JSON_STRING)) &&
                    strcmp(json_string_value(v), fixed[k].want) &&
                    (!fixed[k].alt || strcmp(json_string_value(v), fixed[k].alt)))
                        derr(c, key_at(c, rat, fixed[k].key, true), "%s.%s must be \"%s\"", where,
                             fixed[k].key, fixed[k].want);
        json_t *dialect = want(c, r, rat, where, "dialect", JSON_OBJECT);
        if (dialect) {
                size_t dat = key_at(c, rat, "dialect", true);
                dw = dotted(where, "dialect");
                check_keys(c, dialect, dat, dw, dkeys);
                if (((v = json_object_get(dialect, "delimiter")) &&
                     strcmp(json_string_value(v) ? json_string_value(v) : "", ",")) ||
                    ((v = json_object_get(dialect, "quoteChar")) &&
                     strcmp(json_string_value(v) ? json_string_value(v) : "", "\"")) ||
                    ((v = json_object_get(dialect, "header")) && !json_is_true(v)) ||
                    ((v = json_object_get(dialect, "doubleQuote")) && !json_is_true(v)))
                        derr(c, dat,
                             "%s: only comma-separated files with a header row and \"\" "
                             "quoting are supported",
                             dw);
        }
        json_t *bytes = want(c, r, rat, where, "bytes", JSON_INTEGER);
        json_t *path = json_object_get(r, "path");
        size_t pat = key_at(c, rat, "path", true);
        if (!path)
                missing_key(c, rat, where, "path");
        else if (!json_is_string(path))
                derr(c, pat, "%s.path must be one relative file path, such as \"data.csv\"", where);
        else {
                json_object_set(out, "path", path);
                file = resource_file(c, dir, json_string_value(path), pat, where);
                if (file)
                        json_object_set_new(out, "file", json_string(file));
        }
        json_t *schema = json_object_get(r, "schema");
        size_t sat = key_at(c, rat, "schema", true);
        char *sw = dotted(where, "schema");
        int srcs = -1;
        if (!schema)
                missing_key(c, rat, where, "schema");
        else if (!json_is_object(schema))
                derr(c, sat, "%s must be a Table Schema object {\"fields\": [...]}", sw);
        else {
                json_object_set(out, "schema", schema);
                srcs = load_schema(c, schema, sat, sw, s);
        }
        free(sw);
        if (c->nerr == before && file && srcs == 0) {
                long long size;
                if (load_csv(file, s, json_object_get(schema, "fields"), out, &size, d) < 0)
                        failed = true;
                else if (bytes && json_integer_value(bytes) != size)
                        derr(c, key_at(c, rat, "bytes", true),
                             "%s.bytes is %lld but %s has %lld bytes", where,
                             (long long)json_integer_value(bytes), file, size);
        }
        free(file);
        free(dw);
        if (failed || c->nerr > before) {
                c->rc = -1;
                json_decref(out);
                return NULL;
        }
        return out;
}

/* The last component of dir, without trailing slashes. Caller frees. */
static char *folder_name(const char *dir)
{
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
                n--;
        size_t start = n;
        while (start > 0 && dir[start - 1] != '/')
                start--;
        return xstrndup(dir + start, n - start);
}

/* The top-level keys: the Data Package's, then the portal's. */
static const char *const pkg_keys[] = {
    "$schema",   "name",      "id",          "title",        "description", "homepage",
    "version",   "created",   "keywords",    "contributors", "image",       "licenses",
    "sources",   "resources", "topics",      "region",       "period",      "unit",
    "published", "updated",   "next_update", "revisions",    "chart",       NULL};

/* Checks the descriptor root (at offset at) and fills out. */
static void load_package(struct desc *c, const char *dir, json_t *root, size_t at, json_t *out)
{
        json_t *v;
        check_keys(c, root, at, "", pkg_keys);
        char *folder = folder_name(dir);
        if (!json_object_get(root, "name"))
                missing_key(c, at, "", "name");
        else if ((v = want(c, root, at, "", "name", JSON_STRING))) {
                const char *name = json_string_value(v);
                size_t nat = key_at(c, at, "name", true);
                if (!config_is_slug(name))
                        derr(c, nat,
                             "name '%s' must use lowercase ASCII letters, digits, '-' and '_'",
                             name);
                else if (strcmp(name, folder))
                        derr(c, nat, "name '%s' must match the folder name '%s'", name, folder);
        }
        copy_str(c, root, at, "", "name", out, true);
        if (!json_object_get(root, "title"))
                missing_key(c, at, "", "title");
        else if ((v = want(c, root, at, "", "title", JSON_STRING)) && !json_string_length(v))
                derr(c, key_at(c, at, "title", true), "title must not be empty");
        copy_str(c, root, at, "", "title", out, true);
        copy_str(c, root, at, "", "description", out, true);
        load_topics(c, root, at, out);
        copy_str(c, root, at, "", "region", out, true);
        copy_str(c, root, at, "", "period", out, true);
        copy_str(c, root, at, "", "unit", out, true);
        static const char *const strs[] = {"$schema", "id", "homepage", "version", "image", NULL};
        for (const char *const *k = strs; *k; k++)
                want(c, root, at, "", *k, JSON_STRING);
        want_list(c, root, at, "", "keywords", JSON_STRING);
        want_list(c, root, at, "", "contributors", JSON_OBJECT);
        json_t *scratch = json_object();
        (void)take_date(c, root, at, "", "created", scratch, "created", true);
        json_decref(scratch);
        static const char *const dates[] = {"published", "updated", "next_update", NULL};
        for (const char *const *k = dates; *k; k++)
                (void)take_date(c, root, at, "", *k, out, *k, true);
        load_sources(c, root, at, out);
        load_licenses(c, root, at, out);
        load_revisions(c, root, at, out);
        json_t *res = json_object_get(root, "resources"), *list = json_array();
        size_t rlat = key_at(c, at, "resources", true);
        struct schema first = {0};
        bool have_first = false;
        if (!res)
                missing_key(c, at, "", "resources");
        else if (!json_is_array(res) || json_array_size(res) == 0)
                derr(c, rlat, "resources must be a list of at least one resource {...}");
        for (size_t i = 0; json_is_array(res) && i < json_array_size(res); i++) {
                json_t *r, *o;
                size_t rat;
                char *where;
                struct schema s;
                if (!item(c, res, rlat, "resources", i, &r, &rat, &where))
                        continue;
                o = load_resource(c, dir, r, rat, where, &s, c->d);
                const char *rname = json_string_value(json_object_get(r, "name"));
                for (size_t j = 0; rname && j < i; j++)
                        if (json_equal(json_object_get(json_array_get(res, j), "name"),
                                       json_object_get(r, "name")))
                                derr(c, key_at(c, rat, "name", true),
                                     "%s.name '%s' repeats resources[%zu].name", where, rname, j);
                if (i == 0 && s.n) {
                        first = s;
                        have_first = true;
                } else
                        schema_free(&s);
                if (o)
                        json_array_append_new(list, o);
                free(where);
        }
        bool schema_ok = have_first;
        for (size_t i = 0; schema_ok && i < first.n; i++)
                schema_ok = *first.f[i].name;
        load_chart(c, root, at, schema_ok ? &first : NULL,
                   json_is_string(json_object_get(json_array_get(res, 0), "name"))
                       ? json_string_value(json_object_get(json_array_get(res, 0), "name"))
                       : "",
                   out);
        schema_free(&first);
        json_object_set_new(out, "resources", list);
        free(folder);
}

json_t *dataset_load(const char *dir, json_t *cfg, struct diag *d)
{
        char *path = xasprintf("%s/datapackage.json", dir);
        struct buf text = {0};
        json_t *root = NULL, *out = NULL;
        struct desc c = {path, NULL, 0, d, cfg, 0, 0, 0};
        c.tz = (int)json_integer_value(json_object_get(cfg, "tz_offset"));
        struct stat st;
        if (lstat(path, &st) < 0) {
                if (errno == ENOENT)
                        diag_error(d, dir, 0, 0,
                                   "a dataset folder needs a datapackage.json describing its CSV "
                                   "files");
                else
                        diag_error(d, path, 0, 0, "cannot read: %s", strerror(errno));
                goto out;
        }
        if (!S_ISREG(st.st_mode)) {
                diag_error(d, path, 0, 0, "must be a regular file (not a link or a folder)");
                goto out;
        }
        if (fsio_read(path, &text, d) < 0)
                goto out;
        json_error_t je;
        root = json_loadb(buf_cstr(&text), text.len, JSON_REJECT_DUPLICATES, &je);
        if (!root) {
                diag_error(d, path, je.line > 0 ? je.line : 1, je.column > 0 ? je.column : 1,
                           "invalid JSON: %s", je.text);
                goto out;
        }
        c.text = buf_cstr(&text);
        c.len = text.len;
        size_t at = skip_ws(c.text, c.len, 0);
        if (!json_is_object(root)) {
                derr(&c, at,
                     "datapackage.json must hold one JSON object {\"name\": ..., "
                     "\"title\": ..., \"resources\": [...]}");
                goto out;
        }
        out = json_object();
        load_package(&c, dir, root, at, out);
        json_object_set_new(out, "dir", json_string(dir));
        json_object_set_new(out, "descriptor", json_string(path));
        json_object_set_new(out, "descriptor_text", json_stringn(c.text, c.len));
        /* The resources last: the other keys are small and read first. */
        json_t *res = json_incref(json_object_get(out, "resources"));
        json_object_del(out, "resources");
        json_object_set_new(out, "resources", res);
out:
        if (c.rc < 0) {
                json_decref(out);
                out = NULL;
        }
        json_decref(root);
        buf_free(&text);
        free(path);
        return out;
}

/* Sorts json strings bytewise. */
static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

json_t *dataset_load_all(const char *data_dir, json_t *cfg, struct diag *d)
{
        struct stat st;
        if (lstat(data_dir, &st) < 0) {
                if (errno == ENOENT)
                        return json_array();
                diag_error(d, data_dir, 0, 0, "cannot read: %s", strerror(errno));
                return NULL;
        }
        if (!S_ISDIR(st.st_mode)) {
                diag_error(d, data_dir, 0, 0,
                           "must be a folder holding one folder per dataset (<name>/"
                           "datapackage.json)");
                return NULL;
        }
        DIR *dh = opendir(data_dir);
        if (!dh) {
                diag_error(d, data_dir, 0, 0, "cannot open folder: %s", strerror(errno));
                return NULL;
        }
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *e;
        while ((e = readdir(dh))) {
                if (e->d_name[0] == '.')
                        continue;
                if (n == cap) {
                        cap = cap ? cap * 2 : 16;
                        names = xrealloc(names, cap * sizeof *names);
                }
                names[n++] = xstrdup(e->d_name);
        }
        closedir(dh);
        if (n)
                qsort(names, n, sizeof *names, cmp_names);
        json_t *all = json_array();
        int rc = 0;
        for (size_t i = 0; i < n; i++) {
                char *dir = xasprintf("%s/%s", data_dir, names[i]);
                if (fsio_has_control(names[i])) {
                        char *shown = fsio_printable(dir);
                        diag_error(d, shown, 0, 0,
                                   "a folder name with a control character (a line break?): "
                                   "rename it");
                        free(shown);
                        rc = -1;
                } else if (lstat(dir, &st) < 0) {
                        diag_error(d, dir, 0, 0, "cannot read: %s", strerror(errno));
                        rc = -1;
                } else if (S_ISLNK(st.st_mode)) {
                        diag_error(d, dir, 0, 0,
                                   "symbolic links are not followed; copy the folder instead");
                        rc = -1;
                } else if (!S_ISDIR(st.st_mode)) {
                        diag_warn(d, dir, 0, 0,
                                  "not a dataset folder (%s/<name>/datapackage.json); ignored",
                                  data_dir);
                } else {
                        json_t *ds = dataset_load(dir, cfg, d);
                        if (ds)
                                json_array_append_new(all, ds);
                        else
                                rc = -1;
                }
                free(dir);
                free(names[i]);
        }
        free(names);
        if (rc < 0) {
                json_decref(all);
                return NULL;
        }
        return all;
}

/* ---- inline tables ---- */

/* State of an inline table being read: cells kept as strings (null when empty) until the
 * column types are known. */
struct inline_table {
        struct errs *e; /* the article's errors */
        json_t *names;  /* header cells */
        json_t *rows;   /* rows of strings and nulls */
};

/* The record handler of an inline table. */
static int inline_row(void *ctx, struct reader *r, int line)
{
        struct inline_table *t = ctx;
        size_t kept = r->ncells < READER_CELLS ? r->ncells : READER_CELLS;
        if (!t->names) {
                if (r->ncells > DATASET_MAX_FIELDS) {
                        err_at(t->e, line, DATASET_MAX_FIELDS + 1, "more than %d columns",
                               DATASET_MAX_FIELDS);
                        return -1;
                }
                t->names = json_array();
                for (size_t i = 0; i < kept; i++)
                        json_array_append_new(
                            t->names, json_stringn_nocheck(cell_text(r, i), r->cells[i].len));
                return 0;
        }
        size_t nf = json_array_size(t->names);
        if (json_array_size(t->rows) >= DATASET_MAX_ROWS) {
                err_at(t->e, line, 1, "more than %d rows", DATASET_MAX_ROWS);
                return -1;
        }
        if (r->ncells != nf) {
                err_at(t->e, line, (int)(r->ncells < nf ? r->ncells : nf) + 1,
                       "row has %zu cells where the header has %zu", r->ncells, nf);
                return 0;
        }
        json_t *row = json_array();
        for (size_t i = 0; i < nf; i++)
                json_array_append_new(
                    row, r->cells[i].len ? json_stringn_nocheck(cell_text(r, i), r->cells[i].len)
                                         : json_null());
        json_array_append_new(t->rows, row);
        return 0;
}

/* The type of column j: integer or number when every non-empty cell is one, else string. */
static enum ftype infer_type(json_t *rows, size_t j)
{
        enum ftype t = FT_INTEGER;
        size_t i;
        json_t *row;
        bool any = false;
        json_array_foreach(rows, i, row)
        {
                json_t *cell = json_array_get(row, j);
                struct value v;
                if (json_is_null(cell))
                        continue;
                any = true;
                if (parse_num(json_string_value(cell), &v) != CE_OK)
                        return FT_STRING;
                if (v.kind != V_INT)
                        t = FT_NUMBER;
        }
        return any ? t : FT_STRING;
}

json_t *dataset_parse_inline(const char *path, int line, const char *text, size_t len,
                             struct diag *d)
{
        struct errs e = {d, path, 0, 0, 0};
        struct inline_table t = {&e, NULL, json_array()};
        struct reader r = {0};
        json_t *out = NULL;
        size_t bom = bom_len(text, len);
        text += bom;
        len -= bom;
        if (check_utf8(path, line, text, len, d) < 0)
                goto out;
        r.path = path;
        r.first_line = line;
        r.errs = &e;
        r.row = inline_row;
        r.ctx = &t;
        if (csv_read(&r, text, len) < 0 || e.n)
                goto out;
        if (!t.names) {
                err_at(&e, line, 1,
                       "empty table: the first line must be the header (column names)");
                goto out;
        }
        json_t *fields = json_array();
        size_t j;
        json_t *name;
        json_array_foreach(t.names, j, name)
        {
                enum ftype type = infer_type(t.rows, j);
                json_array_append_new(fields, json_pack("{s:O, s:s, s:O}", "name", name, "type",
                                                        type_names[type], "title", name));
                if (type == FT_STRING)
                        continue;
                size_t i;
                json_t *row;
                json_array_foreach(t.rows, i, row)
                {
                        json_t *cell = json_array_get(row, j);
                        struct value v;
                        if (!json_is_null(cell) && parse_num(json_string_value(cell), &v) == CE_OK)
                                json_array_set_new(row, j, value_json(&v));
                }
        }
        out = json_pack("{s:o, s:O}", "fields", fields, "rows", t.rows);
out:
        errs_finish(&e);
        json_decref(t.names);
        json_decref(t.rows);
        return out;
}
