/* yaml: libyaml events -> position-keeping tree. */
#include "yaml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static struct ynode *node_new(enum ynode_kind kind, const yaml_mark_t *m, int line_offset)
{
        struct ynode *n = xcalloc(1, sizeof *n);
        n->kind = kind;
        n->line = (int)m->line + 1 + line_offset;
        n->col = (int)m->column + 1;
        return n;
}

static void add_kid(struct ynode *parent, struct ynode *kid)
{
        size_t n = parent->nkids;
        if ((n & (n - 1)) == 0) /* 0, 1, 2, 4, ...: the array doubles */
                parent->kids = xrealloc(parent->kids, (n ? 2 * n : 1) * sizeof *parent->kids);
        parent->kids[parent->nkids++] = kid;
}

void ynode_free(struct ynode *n)
{
        if (!n)
                return;
        /* Iterative over the kids of each level would need a stack; depth is bounded by
         * YAML_MAX_DEPTH at load time, so recursion here is bounded too. */
        for (size_t i = 0; i < n->nkids; i++)
                ynode_free(n->kids[i]);
        free(n->kids);
        free(n->text);
        free(n);
}

/* Reports key i of map when an earlier scalar key has its text, at the second
 * occurrence with the first one's line. Returns -1 if so. */
static int check_duplicate_scan(const struct ynode *map, size_t i, const char *path, struct diag *d)
{
        const struct ynode *k = map->kids[i];
        for (size_t j = 0; j < i; j += 2) {
                const struct ynode *first = map->kids[j];
                if (first->kind == YNODE_SCALAR && !strcmp(first->text, k->text)) {
                        diag_error(d, path, k->line, k->col,
                                   "duplicate key '%s' (first at line %d)", k->text, first->line);
                        return -1;
                }
        }
        return 0;
}

/* Reports a duplicate key in a finished mapping at the second occurrence. A front
 * matter's few keys are compared pairwise; a large mapping takes one hash lookup per key,
 * so a mapping of 100,000 keys costs no more than reading it. */
static int check_duplicates(const struct ynode *map, const char *path, struct diag *d)
{
        enum { SCAN_MAX = 32 }; /* keys up to which pairwise beats building a hash */
        int rc = 0;
        if (map->nkids / 2 <= SCAN_MAX) {
                for (size_t i = 2; i + 1 < map->nkids; i += 2)
                        if (map->kids[i]->kind == YNODE_SCALAR &&
                            check_duplicate_scan(map, i, path, d) < 0)
                                rc = -1;
                return rc;
        }
        json_t *seen = json_object();
        for (size_t i = 0; i + 1 < map->nkids; i += 2) {
                const struct ynode *k = map->kids[i];
                if (k->kind != YNODE_SCALAR)
                        continue;
                json_t *first = json_object_get(seen, k->text);
                if (first) {
                        diag_error(d, path, k->line, k->col,
                                   "duplicate key '%s' (first at line %d)", k->text,
                                   (int)json_integer_value(first));
                        rc = -1;
                } else {
                        json_object_set_new(seen, k->text, json_integer(k->line));
                }
        }
        json_decref(seen);
        return rc;
}

/* Checks that text[0..len) holds only characters YAML allows (UTF-8; TAB, LF, CR and no
 * other control character; no U+FFFE or U+FFFF) and reports the first one that is not at
 * its line and character column, which libyaml's reader cannot give. Returns 0 or -1. */
static int check_chars(const char *text, size_t len, const char *path, int line_offset,
                       struct diag *d)
{
        const unsigned char *p = (const unsigned char *)text;
        int line = 1 + line_offset, col = 1;
        size_t i = 0;
        while (i < len) {
                unsigned c = p[i];
                size_t n = 1;
                unsigned cp = c;
                if (c >= 0x80) {
                        n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
                        cp = n == 4 ? c & 0x07 : n == 3 ? c & 0x0F : c & 0x1F;
                        if (n == 0 || n > 4 || c > 0xF4 || i + n > len)
                                n = 0;
                        for (size_t k = 1; n && k < n; k++) {
                                if ((p[i + k] & 0xC0) != 0x80)
                                        n = 0;
                                else
                                        cp = cp << 6 | (p[i + k] & 0x3F);
                        }
                        if (n && ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
                                  cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
                                n = 0;
                        if (!n) {
                                diag_error(d, path, line, col, "invalid UTF-8 (byte 0x%02X)", c);
                                return -1;
                        }
                }
                if (cp == 0) {
                        diag_error(d, path, line, col, "NUL byte in YAML");
                        return -1;
                }
                if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F ||
                    (cp >= 0x80 && cp <= 0x9F && cp != 0x85) || cp == 0xFFFE || cp == 0xFFFF) {
                        diag_error(d, path, line, col,
                                   "control character U+%04X is not allowed in YAML", cp);
                        return -1;
                }
                if (cp == '\n') {
                        line++;
                        col = 1;
                } else {
                        col++;
                }
                i += n;
        }
        return 0;
}

/* Checks a scalar's value: escapes such as "\0", "\x01" or "\e" could put a NUL (which
 * would cut the string) or another control character into a title or tag. Returns 0, or
 * -1 after reporting at the scalar. */
static int check_scalar(const yaml_event_t *ev, const char *path, int line_offset, struct diag *d)
{
        const unsigned char *v = ev->data.scalar.value;
        for (size_t i = 0; i < ev->data.scalar.length; i++) {
                unsigned c = v[i];
                unsigned next = i + 1 < ev->data.scalar.length ? v[i + 1] : 0;
                if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F ||
                    (c == 0xC2 && next >= 0x80 && next <= 0x9F && next != 0x85)) {
                        diag_error(d, path, (int)ev->start_mark.line + 1 + line_offset,
                                   (int)ev->start_mark.column + 1,
                                   "control character U+%04X in a string is not allowed",
                                   c == 0xC2 ? next : c);
                        return -1;
                }
        }
        return 0;
}

static void report_parser(yaml_parser_t *p, const char *path, int line_offset, struct diag *d)
{
        const yaml_mark_t *m = &p->problem_mark;
        const char *what = p->problem ? p->problem : "invalid YAML";
        if (p->error == YAML_READER_ERROR)
                diag_error(d, path, line_offset + 1, 1, "%s (byte %zu of the YAML)", what,
                           p->problem_offset);
        else if (p->context)
                diag_error(d, path, (int)m->line + 1 + line_offset, (int)m->column + 1,
                           "YAML: %s (from line %d, column %d): %s", p->context,
                           (int)p->context_mark.line + 1 + line_offset,
                           (int)p->context_mark.column + 1, what);
        else
                diag_error(d, path, (int)m->line + 1 + line_offset, (int)m->column + 1, "YAML: %s",
                           what);
}

struct ynode *yaml_load(const char *text, size_t len, const char *path, int line_offset,
                        struct diag *d)
{
        yaml_parser_t parser;
        yaml_event_t ev;
        struct ynode *stack[YAML_MAX_DEPTH + 1];
        int depth = 0;
        struct ynode *root = NULL;
        int failed = 0, done = 0;

        if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) { /* a UTF-8 BOM: dropped */
                text += 3;
                len -= 3;
        }
        if (check_chars(text, len, path, line_offset, d) < 0)
                return NULL;
        yaml_parser_initialize(&parser);
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
        while (!done && !failed) {
                if (!yaml_parser_parse(&parser, &ev)) {
                        report_parser(&parser, path, line_offset, d);
                        failed = 1;
                        break;
                }
                struct ynode *n = NULL;
                const yaml_mark_t *m = &ev.start_mark;
                switch (ev.type) {
                case YAML_STREAM_END_EVENT:
                        done = 1;
                        break;
                case YAML_DOCUMENT_START_EVENT:
                        if (root) {
                                diag_error(d, path, (int)m->line + 1 + line_offset,
                                           (int)m->column + 1,
                                           "only one YAML document is allowed here");
                                failed = 1;
                        }
                        break;
                case YAML_ALIAS_EVENT:
                        diag_error(d, path, (int)m->line + 1 + line_offset, (int)m->column + 1,
                                   "YAML aliases (*name) are not allowed");
                        failed = 1;
                        break;
                case YAML_SCALAR_EVENT:
                case YAML_SEQUENCE_START_EVENT:
                case YAML_MAPPING_START_EVENT: {
                        const unsigned char *anchor =
                            ev.type == YAML_SCALAR_EVENT           ? ev.data.scalar.anchor
                            : ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
                                                                   : ev.data.mapping_start.anchor;
                        if (anchor) {
                                diag_error(d, path, (int)m->line + 1 + line_offset,
                                           (int)m->column + 1,
                                           "YAML anchors (&name) are not allowed");
                                failed = 1;
                                break;
                        }
                        if (ev.type == YAML_SCALAR_EVENT &&
                            check_scalar(&ev, path, line_offset, d) < 0) {
                                failed = 1;
                                break;
                        }
                        if (ev.type == YAML_SCALAR_EVENT) {
                                n = node_new(YNODE_SCALAR, m, line_offset);
                                n->text = xstrndup((const char *)ev.data.scalar.value,
                                                   ev.data.scalar.length);
                                n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                        } else {
                                n = node_new(ev.type == YAML_SEQUENCE_START_EVENT ? YNODE_SEQUENCE
                                                                                  : YNODE_MAPPING,
                                             m, line_offset);
                        }
                        if (depth == 0) {
                                root = n;
                        } else {
                                add_kid(stack[depth - 1], n);
                        }
                        if (n->kind != YNODE_SCALAR) {
                                if (depth == YAML_MAX_DEPTH) {
                                        diag_error(d, path, n->line, n->col,
                                                   "YAML nested deeper than %d levels",
                                                   YAML_MAX_DEPTH);
                                        failed = 1;
                                        break;
                                }
                                stack[depth++] = n;
                        }
                        break;
                }
                case YAML_SEQUENCE_END_EVENT:
                        depth--;
                        break;
                case YAML_MAPPING_END_EVENT:
                        depth--;
                        if (check_duplicates(stack[depth], path, d) < 0)
                                failed = 1;
                        break;
                default:
                        break;
                }
                yaml_event_delete(&ev);
        }
        yaml_parser_delete(&parser);
        if (failed) {
                ynode_free(root);
                return NULL;
        }
        if (!root) {
                root = xcalloc(1, sizeof *root);
                root->kind = YNODE_MAPPING;
                root->line = 1 + line_offset;
                root->col = 1;
        }
        return root;
}

struct ynode *ynode_get(const struct ynode *map, const char *key)
{
        if (!map || map->kind != YNODE_MAPPING)
                return NULL;
        for (size_t i = 0; i + 1 < map->nkids; i += 2)
                if (map->kids[i]->kind == YNODE_SCALAR && !strcmp(map->kids[i]->text, key))
                        return map->kids[i + 1];
        return NULL;
}

int ynode_string(const struct ynode *n, const char *path, const char *what, struct diag *d,
                 const char **out)
{
        if (n->kind != YNODE_SCALAR) {
                diag_error(d, path, n->line, n->col, "%s must be a string, not a %s", what,
                           n->kind == YNODE_SEQUENCE ? "list" : "mapping");
                return -1;
        }
        if (n->plain && (!n->text[0] || !strcmp(n->text, "~") || !strcmp(n->text, "null") ||
                         !strcmp(n->text, "Null") || !strcmp(n->text, "NULL"))) {
                diag_error(d, path, n->line, n->col, "%s must be a string, not null", what);
                return -1;
        }
        *out = n->text;
        return 0;
}

int ynode_bool(const struct ynode *n, const char *path, const char *what, struct diag *d, bool *out)
{
        if (n->kind == YNODE_SCALAR && n->plain) {
                if (!strcmp(n->text, "true") || !strcmp(n->text, "True") ||
                    !strcmp(n->text, "yes")) {
                        *out = true;
                        return 0;
                }
                if (!strcmp(n->text, "false") || !strcmp(n->text, "False") ||
                    !strcmp(n->text, "no")) {
                        *out = false;
                        return 0;
                }
        }
        diag_error(d, path, n->line, n->col, "%s must be true or false", what);
        return -1;
}

int ynode_int(const struct ynode *n, const char *path, const char *what, long min, long max,
              struct diag *d, long *out)
{
        if (n->kind == YNODE_SCALAR && n->plain && n->text[0]) {
                char *end;
                errno = 0;
                long v = strtol(n->text, &end, 10);
                if (!*end && !errno && v >= min && v <= max) {
                        *out = v;
                        return 0;
                }
        }
        diag_error(d, path, n->line, n->col, "%s must be a whole number from %ld to %ld", what, min,
                   max);
        return -1;
}

json_t *ynode_string_list(const struct ynode *n, const char *path, const char *what, struct diag *d)
{
        if (n->kind != YNODE_SEQUENCE) {
                diag_error(d, path, n->line, n->col, "%s must be a list, e.g. [a, b]", what);
                return NULL;
        }
        json_t *arr = json_array();
        for (size_t i = 0; i < n->nkids; i++) {
                const char *s;
                if (ynode_string(n->kids[i], path, what, d, &s) < 0) {
                        json_decref(arr);
                        return NULL;
                }
                json_array_append_new(arr, json_string(s));
        }
        return arr;
}

int ynode_check_keys(const struct ynode *map, const char *path, const char *const *allowed,
                     struct diag *d)
{
        int rc = 0;
        for (size_t i = 0; i + 1 < map->nkids; i += 2) {
                const struct ynode *k = map->kids[i];
                int ok = 0;
                if (k->kind == YNODE_SCALAR)
                        for (const char *const *a = allowed; *a && !ok; a++)
                                ok = !strcmp(*a, k->text);
                if (!ok) {
                        struct buf list = {0};
                        for (const char *const *a = allowed; *a; a++)
                                buf_printf(&list, "%s%s", a == allowed ? "" : ", ", *a);
                        diag_error(d, path, k->line, k->col, "unknown key '%s' (known: %s)",
                                   k->kind == YNODE_SCALAR ? k->text : "?", buf_cstr(&list));
                        buf_free(&list);
                        rc = -1;
                }
        }
        return rc;
}
