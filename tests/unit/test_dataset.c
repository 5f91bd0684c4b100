/* Unit tests for dataset: Data Package descriptors, CSV reading, Table Schema validation and
 * inline tables. Fixtures are written under a fresh folder in /tmp. */
#include "check.h"

#include "buf.h"
#include "dataset.h"
#include "diag.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ---- */

static char root[64];
static json_t *cfg;

/* Flushes every message of d into a new string (caller frees). */
static char *messages(struct diag *d)
{
        char *s = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&s, &n);
        if (!f) {
                printf("FAIL open_memstream\n");
                exit(1);
        }
        diag_flush(d, f);
        fclose(f);
        return s;
}

/* CHECK that the messages contain want; shows them when they do not. */
#define CHECK_MSG(msgs, want, name)                                                                \
        do {                                                                                       \
                const char *m_ = (msgs);                                                           \
                CHECK(m_ &&strstr(m_, (want)), (name));                                            \
                if (!(m_ && strstr(m_, (want))))                                                   \
                        printf("  messages were: %s\n", m_ ? m_ : "(null)");                       \
        } while (0)

/* Number of times needle occurs in hay. */
static int count_of(const char *hay, const char *needle)
{
        int n = 0;
        for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

/* Writes len bytes to path; aborts the test program when it cannot. */
static void write_file(const char *path, const char *text, size_t len)
{
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
                printf("FAIL cannot write %s\n", path);
                exit(1);
        }
}

/* A package descriptor for dataset name with one resource name.csv and the given fields
 * (JSON array text) and extra schema / top-level members (may be ""). Caller frees. */
static char *package(const char *name, const char *fields, const char *schema_extra,
                     const char *top_extra)
{
        return xasprintf("{\n"
                         "  \"name\": \"%s\",\n"
                         "  \"title\": \"测试数据\",%s\n"
                         "  \"resources\": [{\n"
                         "    \"name\": \"%s\",\n"
                         "    \"path\": \"%s.csv\",\n"
                         "    \"schema\": {\"fields\": %s%s}\n"
                         "  }]\n"
                         "}\n",
                         name, top_extra, name, name, fields, schema_extra);
}

/* Creates root/name/ with datapackage.json = json and name.csv = csv (csv_len bytes; csv may
 * be NULL for none). Returns the folder (caller frees). */
static char *make_dataset(const char *name, const char *json, const char *csv, size_t csv_len)
{
        char *dir = xasprintf("%s/%s", root, name);
        mkdir(dir, 0755);
        char *p = xasprintf("%s/datapackage.json", dir);
        write_file(p, json, strlen(json));
        free(p);
        if (csv) {
                p = xasprintf("%s/%s.csv", dir, name);
                write_file(p, csv, csv_len);
                free(p);
        }
        return dir;
}

/* Loads a dataset made of the given parts; *msgs gets the messages (caller frees). Returns
 * the dataset or NULL. Caller decrefs. */
static json_t *load_parts(const char *name, const char *json, const char *csv, size_t csv_len,
                          char **msgs)
{
        char *dir = make_dataset(name, json, csv, csv_len);
        struct diag *d = diag_new();
        json_t *ds = dataset_load(dir, cfg, d);
        *msgs = messages(d);
        diag_free(d);
        free(dir);
        return ds;
}

/* Loads dataset name with a schema of fields, the extra schema/top-level members, and csv. */
static json_t *load(const char *name, const char *fields, const char *schema_extra,
                    const char *top_extra, const char *csv, char **msgs)
{
        char *json = package(name, fields, schema_extra, top_extra);
        json_t *ds = load_parts(name, json, csv, csv ? strlen(csv) : 0, msgs);
        free(json);
        return ds;
}

/* The rows of the first resource's table. */
static json_t *rows_of(json_t *ds)
{
        return json_object_get(
            json_object_get(json_array_get(json_object_get(ds, "resources"), 0), "table"), "rows");
}

/* The compact JSON text of v (caller frees). */
static char *dump(json_t *v)
{
        return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : xstrdup("(null)");
}

/* CHECKs that the rows of ds dump to want. */
static void check_rows(json_t *ds, const char *want, const char *name)
{
        char *got = dump(rows_of(ds));
        CHECK_STR(got, want, name);
        free(got);
}

static const char *const F3 = "[{\"name\": \"scheme\", \"type\": \"string\"},"
                              " {\"name\": \"income\", \"type\": \"number\"},"
                              " {\"name\": \"n\", \"type\": \"integer\"}]";

/* ---- CSV reading ---- */

static void test_csv(void)
{
        char *m;
        json_t *ds;

        ds = load("quoted", F3, "", "",
                  "scheme,income,n\n\"职工,医保\",1.5,2\n\"say \"\"hi\"\"\",3,4\n", &m);
        CHECK(ds != NULL, "csv: quoted commas and doubled quotes load");
        check_rows(ds, "[[\"职工,医保\",1.5,2],[\"say \\\"hi\\\"\",3,4]]",
                   "csv: quoted commas and doubled quotes");
        json_decref(ds);
        free(m);

        /* A record spanning lines 2-3: the bad cell of the next record is on line 4. */
        ds = load("multiline", F3, "", "", "scheme,income,n\n\"a\nb\",1,2\nc,x,3\n", &m);
        CHECK(ds == NULL, "csv: embedded newline, error after it fails");
        CHECK_MSG(m, "multiline.csv:4:2: error: \"x\" is not a number (field income)",
                  "csv: row number after an embedded newline");
        json_decref(ds);
        free(m);
        ds = load("multiline2", F3, "", "", "scheme,income,n\r\n\"a\r\nb\",1,2\r\nc,2,3", &m);
        check_rows(ds, "[[\"a\\r\\nb\",1,2],[\"c\",2,3]]",
                   "csv: CRLF, newline kept inside quotes, no final newline");
        json_decref(ds);
        free(m);

        ds = load("crlf", F3, "", "", "scheme,income,n\r\na,1,2\r\nb,x,3\r\n", &m);
        CHECK_MSG(m, "crlf.csv:3:2: error: \"x\" is not a number", "csv: CRLF line numbers");
        json_decref(ds);
        free(m);

        ds = load("bom", F3, "", "", "\xEF\xBB\xBFscheme,income,n\na,1,2\n", &m);
        CHECK(ds != NULL, "csv: BOM stripped before the header");
        json_t *res = json_array_get(json_object_get(ds, "resources"), 0);
        CHECK_STR(json_string_value(json_object_get(res, "csv_text")), "scheme,income,n\na,1,2\n",
                  "csv: csv_text without the BOM");
        CHECK(json_integer_value(json_object_get(res, "bytes")) == 22, "csv: bytes");
        json_decref(ds);
        free(m);

        ds = load("trailing", F3, "", "", "scheme,income,n\na,1,2", &m);
        check_rows(ds, "[[\"a\",1,2]]", "csv: no final newline");
        json_decref(ds);
        free(m);
        ds = load("blank", F3, "", "", "scheme,income,n\n\na,1,2\n\n", &m);
        check_rows(ds, "[[\"a\",1,2]]", "csv: blank lines skipped");
        json_decref(ds);
        free(m);

        ds = load("headeronly", F3, "", "", "scheme,income,n\n", &m);
        check_rows(ds, "[]", "csv: header only gives no rows");
        json_decref(ds);
        free(m);

        ds = load("empty", F3, "", "", "", &m);
        CHECK(ds == NULL, "csv: empty file fails");
        CHECK_MSG(m,
                  "empty.csv:1:1: error: empty file: the first line must be the header: "
                  "scheme,income,n",
                  "csv: empty file message");
        json_decref(ds);
        free(m);

        ds = load("spaces", F3, "", "", "scheme,income,n\n a b ,1,2\n", &m);
        check_rows(ds, "[[\" a b \",1,2]]", "csv: spaces are kept");
        json_decref(ds);
        free(m);

        ds = load("strayquote", F3, "", "", "scheme,income,n\nab\"c,1,2\n", &m);
        CHECK_MSG(m, "strayquote.csv:2:3: error: '\"' inside an unquoted field",
                  "csv: quote inside an unquoted field");
        json_decref(ds);
        free(m);
        ds = load("afterquote", F3, "", "", "scheme,income,n\n\"ab\"c,1,2\n", &m);
        CHECK_MSG(m, "afterquote.csv:2:5: error: text after a closing quote",
                  "csv: text after a closing quote");
        json_decref(ds);
        free(m);
        ds = load("unclosed", F3, "", "", "scheme,income,n\na,1,2\n\"b,1,2\nc,3,4\n", &m);
        CHECK_MSG(m, "unclosed.csv:3:1: error: a quoted field of this record is never closed",
                  "csv: unclosed quote at the record's line");
        json_decref(ds);
        free(m);

        ds = load("badutf8", F3, "", "", "scheme,income,n\n医保\xFF,1,2\n", &m);
        CHECK_MSG(m, "badutf8.csv:2:3: error: invalid UTF-8 (byte 0xFF)", "csv: invalid UTF-8");
        json_decref(ds);
        free(m);
        char *json = package("nul", F3, "", "");
        static const char nul_csv[] = "scheme,income,n\na,1\0,2\n";
        ds = load_parts("nul", json, nul_csv, sizeof nul_csv - 1, &m);
        CHECK(ds == NULL, "csv: NUL byte fails");
        CHECK_MSG(m, "nul.csv:2:4: error: NUL byte in text", "csv: NUL byte message");
        free(json);
        json_decref(ds);
        free(m);
}

/* ---- types and constraints ---- */

static void test_types(void)
{
        char *m;
        json_t *ds;

        ds = load("fund", F3, "", "",
                  "scheme,income,n\na,1,2\nb,2.5,3\nc,-1e3,-4\nd,.5,+5\ne,1.,0\nf,3.4x,1\n", &m);
        CHECK(ds == NULL, "number: a bad number fails the dataset");
        CHECK_MSG(m, "fund/fund.csv:7:2: error: \"3.4x\" is not a number (field income)",
                  "number: exact message");
        CHECK(count_of(m, "error:") == 1, "number: good numbers accepted");
        json_decref(ds);
        free(m);

        ds = load("numbers", F3, "", "", "scheme,income,n\na,23700,2\nb,2.5,3\nc,-1e3,-4\n", &m);
        check_rows(ds, "[[\"a\",23700,2],[\"b\",2.5,3],[\"c\",-1000.0,-4]]",
                   "number: whole numbers as integers, others as reals");
        json_decref(ds);
        free(m);

        ds = load("thousands", F3, "", "", "scheme,income,n\na,\"23,700\",2\n", &m);
        CHECK_MSG(m,
                  "thousands.csv:2:2: error: \"23,700\" is not a number (field income); to allow "
                  "thousands separators, give the field \"groupChar\": \",\"",
                  "number: thousands separator refused with a hint");
        json_decref(ds);
        free(m);
        ds = load("group",
                  "[{\"name\": \"a\", \"type\": \"number\", \"groupChar\": \",\"},"
                  " {\"name\": \"b\", \"type\": \"integer\", \"groupChar\": \" \"},"
                  " {\"name\": \"c\", \"type\": \"number\", \"bareNumber\": false},"
                  " {\"name\": \"d\", \"type\": \"number\", \"decimalChar\": \",\","
                  " \"groupChar\": \".\"}]",
                  "", "", "a,b,c,d\n\"23,700.5\",1 000,95%,\"1.234,5\"\n", &m);
        check_rows(ds, "[[23700.5,1000,95,1234.5]]",
                   "number: groupChar, decimalChar and bareNumber");
        json_decref(ds);
        free(m);

        ds = load("integers", F3, "", "",
                  "scheme,income,n\na,1,1.5\nb,1,x\nc,1,99999999999999999999\nd,1,-0\n", &m);
        CHECK_MSG(m, "integers.csv:2:3: error: \"1.5\" is not an integer (field n)",
                  "integer: decimal refused");
        CHECK_MSG(m, "integers.csv:3:3: error: \"x\" is not an integer (field n)",
                  "integer: text refused");
        CHECK_MSG(m,
                  "integers.csv:4:3: error: \"99999999999999999999\" is out of range for an "
                  "integer (field n)",
                  "integer: overflow refused");
        CHECK(count_of(m, "error:") == 3, "integer: -0 accepted, all errors reported");
        json_decref(ds);
        free(m);

        const char *fdate = "[{\"name\": \"d\", \"type\": \"date\"}, {\"name\": \"y\", \"type\": "
                            "\"year\"}, {\"name\": \"b\", \"type\": \"boolean\"}]";
        ds = load("dates", fdate, "", "", "d,y,b\n2024-02-29,2024,true\n2025-01-14,1999,0\n", &m);
        check_rows(ds, "[[\"2024-02-29\",2024,true],[\"2025-01-14\",1999,false]]",
                   "date, year, boolean: good values");
        json_decref(ds);
        free(m);
        ds = load("baddates", fdate, "", "",
                  "d,y,b\n2025-02-29,24,yes\n2025-1-14,2024x,TRUE\n2025-01-14T00:00:00Z,2024,1\n",
                  &m);
        CHECK_MSG(m, "baddates.csv:2:1: error: \"2025-02-29\" is not a date (YYYY-MM-DD) (field d)",
                  "date: no such day");
        CHECK_MSG(m, "baddates.csv:2:2: error: \"24\" is not a year (YYYY) (field y)",
                  "year: two digits");
        CHECK_MSG(m, "baddates.csv:2:3: error: \"yes\" is not a boolean (field b)",
                  "boolean: yes refused by default");
        CHECK_MSG(m, "baddates.csv:3:1: error: \"2025-1-14\"", "date: short month");
        CHECK_MSG(m, "baddates.csv:3:2: error: \"2024x\" is not a year", "year: trailing text");
        CHECK_MSG(m, "baddates.csv:4:1: error: \"2025-01-14T00:00:00Z\"", "date: a time refused");
        CHECK(count_of(m, "error:") == 6, "date/year/boolean: TRUE and 1 accepted");
        json_decref(ds);
        free(m);
        ds = load("yesno",
                  "[{\"name\": \"b\", \"type\": \"boolean\", \"trueValues\": [\"是\"], "
                  "\"falseValues\": [\"否\"]}]",
                  "", "", "b\n是\n否\ntrue\n", &m);
        CHECK_MSG(m, "yesno.csv:4:1: error: \"true\" is not a boolean (field b)",
                  "boolean: trueValues replace the defaults");
        json_decref(ds);
        free(m);

        ds = load("missing", F3, ", \"missingValues\": [\"\", \"NA\"]", "",
                  "scheme,income,n\na,NA,\nb,,NA\n", &m);
        check_rows(ds, "[[\"a\",null,null],[\"b\",null,null]]", "missingValues become null");
        json_decref(ds);
        free(m);
        ds = load("defaultmissing", F3, "", "", "scheme,income,n\n,1,\nNA,2,3\n", &m);
        check_rows(ds, "[[null,1,null],[\"NA\",2,3]]",
                   "missingValues default to \"\" (strings too)");
        json_decref(ds);
        free(m);

        ds = load("required",
                  "[{\"name\": \"scheme\", \"type\": \"string\"},"
                  " {\"name\": \"income\", \"type\": \"number\", \"constraints\": {\"required\": "
                  "true}}]",
                  ", \"missingValues\": [\"\", \"NA\"]", "", "scheme,income\na,1\nb,\nc,NA\n", &m);
        CHECK(ds == NULL, "required: a missing value fails");
        CHECK_MSG(m,
                  "required.csv:3:2: error: missing value \"\" in a required field (field income)",
                  "required: empty cell");
        CHECK_MSG(m, "required.csv:4:2: error: missing value \"NA\" in a required field",
                  "required: NA cell");
        json_decref(ds);
        free(m);

        ds = load("dupkey", F3, ", \"primaryKey\": [\"scheme\"]", "",
                  "scheme,income,n\na,1,1\nb,2,2\na,3,3\nc,4,4\nb,5,5\n", &m);
        CHECK(ds == NULL, "primaryKey: duplicate fails");
        CHECK_MSG(m, "dupkey.csv:4:1: error: duplicate primary key \"a\" (scheme), first at line 2",
                  "primaryKey: names the first row");
        CHECK_MSG(m, "dupkey.csv:6:1: error: duplicate primary key \"b\" (scheme), first at line 3",
                  "primaryKey: every duplicate reported");
        json_decref(ds);
        free(m);
        ds = load("dupkey2", F3, ", \"primaryKey\": [\"scheme\", \"income\"]", "",
                  "scheme,income,n\na,1,1\na,2,2\na,1.0,3\n", &m);
        CHECK_MSG(m,
                  "dupkey2.csv:4:1: error: duplicate primary key \"a\", \"1.0\" (scheme, income), "
                  "first at line 2",
                  "primaryKey: composite key compared by value");
        CHECK(count_of(m, "error:") == 1, "primaryKey: distinct composite keys accepted");
        json_decref(ds);
        free(m);
        ds =
            load("pkstring", F3, ", \"primaryKey\": \"scheme\"", "", "scheme,income,n\n,1,1\n", &m);
        CHECK_MSG(m, "pkstring.csv:2:1: error: missing value \"\" in a required field",
                  "primaryKey: fields are required");
        json_decref(ds);
        free(m);
        ds = load("unique",
                  "[{\"name\": \"code\", \"type\": \"integer\", \"constraints\": {\"unique\": "
                  "true}}]",
                  "", "", "code\n1\n2\n+1\n", &m);
        CHECK_MSG(m, "unique.csv:4:1: error: \"+1\" is not unique (field code), first at line 2",
                  "unique constraint");
        json_decref(ds);
        free(m);
}

/* ---- shape errors ---- */

static void test_shape(void)
{
        char *m;
        json_t *ds = load("ragged", F3, "", "", "scheme,income,n\na,1\nb,1,2,3\nc,1,2\n", &m);
        CHECK(ds == NULL, "ragged: fails");
        CHECK_MSG(m, "ragged.csv:2:3: error: row has 2 cells where the schema has 3 fields",
                  "ragged: too few cells");
        CHECK_MSG(m, "ragged.csv:3:4: error: row has 4 cells where the schema has 3 fields",
                  "ragged: too many cells");
        json_decref(ds);
        free(m);

        ds = load("header", F3, "", "", "scheme,revenue,n\na,1,2\n", &m);
        CHECK_MSG(m, "header.csv:1:2: error: header has 'revenue' where the schema has 'income'",
                  "header: wrong name");
        json_decref(ds);
        free(m);
        ds = load("header2", F3, "", "", "scheme,income\na,1\n", &m);
        CHECK_MSG(m, "header2.csv:1:3: error: header ends before 'n'", "header: too short");
        json_decref(ds);
        free(m);
        ds = load("header3", F3, "", "", "scheme,income,n,x\na,1,2,3\n", &m);
        CHECK_MSG(m, "header3.csv:1:4: error: header has 4 columns where the schema has 3",
                  "header: too long");
        json_decref(ds);
        free(m);

        struct buf csv = {0};
        buf_puts(&csv, "scheme,income,n\n");
        for (int i = 0; i < 60; i++)
                buf_printf(&csv, "r%d,x%d,%d\n", i, i, i);
        ds = load("many", F3, "", "", buf_cstr(&csv), &m);
        CHECK(count_of(m, "is not a number") == DATASET_MAX_ERRORS, "cap: 50 errors shown");
        CHECK_MSG(m, "many.csv:61:2: error: ... and 10 more errors", "cap: the rest counted");
        CHECK_MSG(m, "many.csv:51:2: error: \"x49\"", "cap: the 50th is shown");
        CHECK(!strstr(m, "\"x50\""), "cap: the 51st is not");
        CHECK(strstr(m, "\"x49\"") < strstr(m, "... and 10 more"), "cap: the count sorts last");
        buf_free(&csv);
        json_decref(ds);
        free(m);
}

/* ---- the descriptor ---- */

static void test_descriptor(void)
{
        char *m, *json;
        json_t *ds;
        const char *csv = "scheme,income,n\na,1,2\n";

        ds = load("unknownkey", F3, "", "\n  \"titel\": \"x\",", csv, &m);
        CHECK(ds == NULL, "descriptor: unknown key fails");
        CHECK_MSG(m, "unknownkey/datapackage.json:4:3: error: unknown key 'titel' (known: $schema,",
                  "descriptor: unknown key at its line and column");
        json_decref(ds);
        free(m);

        ds = load_parts("badjson", "{\n  \"name\": \"badjson\",\n  \"title\": x\n}\n", csv,
                        strlen(csv), &m);
        CHECK_MSG(m, "badjson/datapackage.json:3:12: error: invalid JSON: ",
                  "descriptor: JSON syntax error at line:col");
        json_decref(ds);
        free(m);
        ds = load_parts("dupjson", "{\"name\": \"dupjson\",\n\"name\": \"x\"}", csv, strlen(csv),
                        &m);
        CHECK_MSG(m, "dupjson/datapackage.json:2:", "descriptor: duplicate key refused");
        CHECK_MSG(m, "duplicate object key", "descriptor: duplicate key message");
        json_decref(ds);
        free(m);
        ds = load_parts("notobject", "[1]", csv, strlen(csv), &m);
        CHECK_MSG(m,
                  "notobject/datapackage.json:1:1: error: datapackage.json must hold one JSON "
                  "object",
                  "descriptor: not an object");
        json_decref(ds);
        free(m);

        json = xasprintf("{\"name\": \"Bad_Name\", \"title\": \"x\", \"resources\": []}");
        ds = load_parts("badname", json, NULL, 0, &m);
        CHECK_MSG(m, "badname/datapackage.json:1:10: error: name 'Bad_Name' must use lowercase",
                  "descriptor: name not a slug");
        CHECK_MSG(m, "error: resources must be a list of at least one resource",
                  "descriptor: empty resources");
        free(json);
        json_decref(ds);
        free(m);
        ds = load("othername", F3, "", "", csv, &m); /* valid: reuse its files */
        json_decref(ds);
        free(m);
        json = package("elsewhere", F3, "", "");
        ds = load_parts("othername", json, NULL, 0, &m);
        CHECK_MSG(m,
                  "othername/datapackage.json:2:11: error: name 'elsewhere' must match the "
                  "folder name 'othername'",
                  "descriptor: name must match the folder");
        free(json);
        json_decref(ds);
        free(m);

        ds = load_parts("notitle", "{\"name\": \"notitle\"}", NULL, 0, &m);
        CHECK_MSG(m, "notitle/datapackage.json:1:1: error: missing required key 'title'",
                  "descriptor: missing title");
        CHECK_MSG(m, "notitle/datapackage.json:1:1: error: missing required key 'resources'",
                  "descriptor: missing resources");
        json_decref(ds);
        free(m);

        ds = load("wrongtype", F3, "", "\n  \"region\": 5, \"keywords\": [\"a\", 1],", csv, &m);
        CHECK_MSG(m, "wrongtype/datapackage.json:4:13: error: region must be a string",
                  "descriptor: wrong type");
        CHECK_MSG(m, "wrongtype/datapackage.json:4:34: error: keywords[1] must be a string",
                  "descriptor: list item type");
        json_decref(ds);
        free(m);

        ds = load("baddate", F3, "", "\n  \"published\": \"2025-13-01\",", csv, &m);
        CHECK_MSG(m, "baddate/datapackage.json:4:16: error: published '2025-13-01': no such day",
                  "descriptor: bad date");
        json_decref(ds);
        free(m);
        ds =
            load("badrev", F3, "",
                 "\n  \"revisions\": [{\"date\": \"2025-01-15\", \"reason\": \"typo\"}],", csv, &m);
        CHECK_MSG(m,
                  "badrev/datapackage.json:4:50: error: revisions[0].reason 'typo' must be "
                  "\"revision\" or \"correction\"",
                  "descriptor: bad revision reason");
        json_decref(ds);
        free(m);
        ds = load("badsource", F3, "", "\n  \"sources\": [{\"path\": \"x\", \"date\": \"soon\"}],",
                  csv, &m);
        CHECK_MSG(m,
                  "badsource/datapackage.json:4:15: error: missing required key 'title' in "
                  "sources[0]",
                  "descriptor: source without a title");
        CHECK_MSG(m, "error: sources[0].date 'soon': ", "descriptor: source date");
        json_decref(ds);
        free(m);

        ds = load("badtopic", F3, "", "\n  \"topics\": [\"health\", \"wages\"],", csv, &m);
        CHECK_MSG(m,
                  "badtopic/datapackage.json:4:24: error: unknown topic 'wages' (define it under "
                  "topics: in site.yaml)",
                  "descriptor: unknown topic");
        CHECK(count_of(m, "error:") == 1, "descriptor: known topic accepted");
        json_decref(ds);
        free(m);

        ds = load("chartx", F3, "",
                  "\n  \"chart\": {\"type\": \"bar\", \"x\": \"region\", \"y\": [\"income\", "
                  "\"scheme\", \"nope\"]},",
                  csv, &m);
        CHECK_MSG(m,
                  "chartx/datapackage.json:4:33: error: chart.x 'region' is not a field of "
                  "resource 'chartx'",
                  "chart: unknown x");
        CHECK_MSG(m, "chartx/datapackage.json:4:59: error: chart.y 'scheme' is not numeric",
                  "chart: non-numeric y");
        CHECK_MSG(m, "chartx/datapackage.json:4:69: error: chart.y 'nope' is not a field",
                  "chart: unknown y");
        json_decref(ds);
        free(m);
        ds = load("charttype", F3, "",
                  "\n  \"chart\": {\"type\": \"pie\", \"x\": \"scheme\", \"y\": \"income\"},", csv,
                  &m);
        CHECK_MSG(m, "error: chart.type 'pie' is not one of bar, hbar, grouped, stacked, line",
                  "chart: bad type");
        CHECK(count_of(m, "error:") == 1, "chart: y as one name");
        json_decref(ds);
        free(m);

        json = xasprintf("{\"name\": \"escape\", \"title\": \"x\", \"resources\": [{\"name\": "
                         "\"escape\", \"path\": \"../x.csv\", \"schema\": {\"fields\": %s}}]}",
                         F3);
        ds = load_parts("escape", json, NULL, 0, &m);
        CHECK_MSG(m,
                  "escape/datapackage.json:1:75: error: resources[0].path '../x.csv' must be a "
                  "relative path inside the dataset folder",
                  "path: '..' refused");
        free(json);
        json_decref(ds);
        free(m);
        static const char *const bad_paths[] = {"/etc/passwd", "a\\\\b.csv", "https://x.org/a.csv",
                                                "./a.csv",     "a//b.csv",   "sub/",
                                                NULL};
        for (const char *const *p = bad_paths; *p; p++) {
                json = xasprintf("{\"name\": \"escape\", \"title\": \"x\", \"resources\": "
                                 "[{\"name\": \"escape\", \"path\": \"%s\", \"schema\": "
                                 "{\"fields\": %s}}]}",
                                 *p, F3);
                ds = load_parts("escape", json, NULL, 0, &m);
                char *name = xasprintf("path: '%s' refused", *p);
                CHECK_MSG(m, "must be a relative path inside the dataset folder", name);
                free(name);
                free(json);
                json_decref(ds);
                free(m);
        }
        json = package("nofile", F3, "", "");
        ds = load_parts("nofile", json, NULL, 0, &m);
        CHECK_MSG(m, "error: resources[0].path 'nofile.csv': ", "path: missing file");
        CHECK_MSG(m, "nofile.csv does not exist", "path: missing file message");
        json_decref(ds);
        free(m);
        char *target = xasprintf("%s/othername/othername.csv", root);
        char *link = xasprintf("%s/nofile/nofile.csv", root);
        CHECK(symlink(target, link) == 0, "path: make a symbolic link");
        ds = load_parts("nofile", json, NULL, 0, &m);
        CHECK_MSG(m, "nofile.csv is a symbolic link", "path: symbolic link refused");
        free(json);
        free(target);
        free(link);
        json_decref(ds);
        free(m);

        ds = load("badfield",
                  "[{\"name\": \"a\", \"type\": \"datetime\"}, {\"name\": \"a\"},"
                  " {\"type\": \"string\", \"constraints\": {\"minimum\": 1}}]",
                  ", \"primaryKey\": [\"zz\"], \"foreignKeys\": []", "", "a,a,b\n", &m);
        CHECK_MSG(m, "error: resources[0].schema.fields[0].type 'datetime' is not supported",
                  "schema: unsupported type");
        CHECK_MSG(m, "error: resources[0].schema.fields[1].name 'a' repeats", "schema: repeat");
        CHECK_MSG(m, "error: missing required key 'name' in resources[0].schema.fields[2]",
                  "schema: field without a name");
        CHECK_MSG(m, "error: constraint 'minimum' is not supported", "schema: constraint");
        CHECK_MSG(m, "error: resources[0].schema.primaryKey names 'zz', which is not a field",
                  "schema: primaryKey names an unknown field");
        CHECK_MSG(m, "error: unknown key 'foreignKeys' in resources[0].schema",
                  "schema: unknown key");
        json_decref(ds);
        free(m);

        ds = load("bytes", F3, "", "", csv, &m);
        json_decref(ds);
        free(m);
        json = xasprintf("{\"name\": \"bytes\", \"title\": \"x\", \"resources\": [{\"name\": "
                         "\"bytes\", \"path\": \"bytes.csv\", \"format\": \"xlsx\", \"bytes\": 3, "
                         "\"schema\": {\"fields\": %s}}]}",
                         F3);
        ds = load_parts("bytes", json, NULL, 0, &m);
        CHECK_MSG(m, "error: resources[0].format must be \"csv\"", "resource: format");
        free(json);
        json_decref(ds);
        free(m);
        json = xasprintf("{\"name\": \"bytes\", \"title\": \"x\", \"resources\": [{\"name\": "
                         "\"bytes\", \"path\": \"bytes.csv\", \"bytes\": 3, "
                         "\"schema\": {\"fields\": %s}}]}",
                         F3);
        ds = load_parts("bytes", json, NULL, 0, &m);
        CHECK_MSG(m, "error: resources[0].bytes is 3 but ", "resource: bytes checked");
        free(json);
        json_decref(ds);
        free(m);
}

/* The full output of a valid dataset. */
static void test_output(void)
{
        char *m;
        const char *top =
            "\n  \"description\": \"说明\", \"topics\": [\"health\"], \"unit\": "
            "\"亿元\",\n  \"published\": \"2025-01-14\", \"updated\": "
            "\"2025-01-15T10:00:00+08:00\",\n  \"sources\": [{\"title\": \"法治日报\", "
            "\"path\": \"https://example.org/\", \"date\": \"2025-01-14\"}],\n  "
            "\"licenses\": [{\"name\": \"CC-BY-4.0\"}],\n  \"revisions\": "
            "[{\"date\": \"2025-01-15\", \"reason\": \"correction\"}],\n  "
            "\"chart\": {\"x\": \"scheme\", \"y\": [\"income\"], \"title\": "
            "\"图\"},";
        json_t *ds = load("full",
                          "[{\"name\": \"scheme\", \"title\": \"险种\"}, {\"name\": \"income\", "
                          "\"type\": \"number\", \"unit\": \"亿元\", \"description\": \"收入\"}]",
                          ", \"primaryKey\": [\"scheme\"]", top, "scheme,income\n职工,23700\n", &m);
        CHECK(ds != NULL, "output: valid dataset loads");
        CHECK_STR(m, "", "output: no messages");
        if (!ds) {
                json_decref(ds);
                free(m);
                return;
        }
        json_t *want = json_loads(
            "{\"name\": \"full\", \"title\": \"测试数据\", \"description\": \"说明\", \"topics\": "
            "[\"health\"], \"region\": \"\", \"period\": \"\", \"unit\": \"亿元\", "
            "\"published\": \"2025-01-14T00:00:00+08:00\", \"published_epoch\": 1736784000, "
            "\"published_offset\": 480, \"published_zh\": \"2025年1月14日\", "
            "\"updated\": \"2025-01-15T10:00:00+08:00\", \"updated_epoch\": 1736906400, "
            "\"updated_offset\": 480, \"updated_zh\": \"2025年1月15日\", "
            "\"sources\": [{\"title\": \"法治日报\", \"path\": \"https://example.org/\", "
            "\"date\": \"2025-01-14T00:00:00+08:00\", \"date_zh\": \"2025年1月14日\"}], "
            "\"licenses\": [{\"name\": \"CC-BY-4.0\"}], "
            "\"revisions\": [{\"date\": \"2025-01-15T00:00:00+08:00\", \"date_zh\": "
            "\"2025年1月15日\", \"reason\": \"correction\", \"note\": \"\"}], "
            "\"chart\": {\"type\": \"bar\", \"x\": \"scheme\", \"y\": [\"income\"], \"title\": "
            "\"图\"}}",
            0, NULL);
        const char *k;
        json_t *v;
        json_object_foreach(want, k, v)
        {
                char *name = xasprintf("output: %s", k);
                char *g = dump(json_object_get(ds, k)), *w = dump(v);
                CHECK_STR(g, w, name);
                free(g);
                free(w);
                free(name);
        }
        json_decref(want);
        CHECK(!json_object_get(ds, "next_update"), "output: absent dates left out");
        char *dir = xasprintf("%s/full", root);
        CHECK_STR(json_string_value(json_object_get(ds, "dir")), dir, "output: dir");
        free(dir);
        CHECK(strstr(json_string_value(json_object_get(ds, "descriptor")), "full/datapackage.json"),
              "output: descriptor");
        CHECK(!strncmp(json_string_value(json_object_get(ds, "descriptor_text")),
                       "{\n  \"name\": \"full\"", 18),
              "output: descriptor_text");
        json_t *res = json_array_get(json_object_get(ds, "resources"), 0);
        CHECK_STR(json_string_value(json_object_get(res, "path")), "full.csv", "output: path");
        CHECK(strstr(json_string_value(json_object_get(res, "file")), "/full/full.csv"),
              "output: file");
        CHECK(json_is_object(json_object_get(json_object_get(res, "schema"), "fields")) == 0 &&
                  json_is_array(json_object_get(json_object_get(res, "schema"), "fields")),
              "output: schema as given");
        char *fields = dump(json_object_get(json_object_get(res, "table"), "fields"));
        CHECK_STR(fields,
                  "[{\"name\":\"scheme\",\"type\":\"string\",\"title\":\"险种\"},{\"name\":"
                  "\"income\",\"type\":\"number\",\"title\":\"income\",\"unit\":\"亿元\","
                  "\"description\":\"收入\"}]",
                  "output: table fields");
        free(fields);
        check_rows(ds, "[[\"职工\",23700]]", "output: rows");
        json_decref(ds);
        free(m);
}

/* ---- dataset_load_all ---- */

static void test_load_all(void)
{
        struct diag *d = diag_new();
        char *none = xasprintf("%s/no-such-folder", root);
        json_t *all = dataset_load_all(none, cfg, d);
        CHECK(json_is_array(all) && json_array_size(all) == 0, "load_all: missing folder gives []");
        json_decref(all);
        free(none);

        char *data = xasprintf("%s/all", root);
        mkdir(data, 0755);
        char *saved = xstrdup(root);
        snprintf(root, sizeof root, "%s", data);
        char *json = package("b-second", F3, "", "");
        free(make_dataset("b-second", json, "scheme,income,n\na,1,2\n", 22));
        free(json);
        json = package("a-first", F3, "", "");
        free(make_dataset("a-first", json, "scheme,income,n\na,1,2\n", 22));
        free(json);
        all = dataset_load_all(data, cfg, d);
        CHECK(json_array_size(all) == 2, "load_all: two datasets");
        CHECK_STR(json_string_value(json_object_get(json_array_get(all, 0), "name")), "a-first",
                  "load_all: sorted by name");
        json_decref(all);

        json = package("c-bad", F3, "", "");
        free(make_dataset("c-bad", json, "scheme,income,n\na,x,2\n", 22));
        free(json);
        json = package("d-bad", F3, "", "\n  \"colour\": 1,");
        free(make_dataset("d-bad", json, "scheme,income,n\na,1,2\n", 22));
        free(json);
        all = dataset_load_all(data, cfg, d);
        char *m = messages(d);
        CHECK(all == NULL, "load_all: a bad dataset fails the lot");
        CHECK_MSG(m, "c-bad.csv:2:2: error: \"x\" is not a number", "load_all: first bad reported");
        CHECK_MSG(m, "d-bad/datapackage.json:4:3: error: unknown key 'colour'",
                  "load_all: second bad reported too");
        free(m);
        snprintf(root, sizeof root, "%s", saved);
        free(saved);
        free(data);
        diag_free(d);
}

/* ---- inline tables ---- */

static void test_inline(void)
{
        struct diag *d = diag_new();
        const char *csv = "地区,人数,金额,备注,空\n北京,12,3.5,a,\n上海,,4,\"b,c\",\n";
        json_t *t = dataset_parse_inline("a.md", 10, csv, strlen(csv), d);
        CHECK(t != NULL, "inline: parses");
        char *s = dump(t);
        CHECK_STR(s,
                  "{\"fields\":[{\"name\":\"地区\",\"type\":\"string\",\"title\":\"地区\"},"
                  "{\"name\":\"人数\",\"type\":\"integer\",\"title\":\"人数\"},"
                  "{\"name\":\"金额\",\"type\":\"number\",\"title\":\"金额\"},"
                  "{\"name\":\"备注\",\"type\":\"string\",\"title\":\"备注\"},"
                  "{\"name\":\"空\",\"type\":\"string\",\"title\":\"空\"}],"
                  "\"rows\":[[\"北京\",12,3.5,\"a\",null],[\"上海\",null,4,\"b,c\",null]]}",
                  "inline: types inferred, empty cells null");
        free(s);
        json_decref(t);

        csv = "a,b\n1,2\n3\n\"x\ny\",5\n6,7,8\n";
        t = dataset_parse_inline("a.md", 10, csv, strlen(csv), d);
        char *m = messages(d);
        CHECK(t == NULL, "inline: ragged fails");
        CHECK_MSG(m, "a.md:12:2: error: row has 1 cells where the header has 2",
                  "inline: ragged row at its file line");
        CHECK_MSG(m, "a.md:15:3: error: row has 3 cells where the header has 2",
                  "inline: line counted across an embedded newline");
        free(m);

        csv = "a,b\n1,\"2\n";
        t = dataset_parse_inline("a.md", 5, csv, strlen(csv), d);
        m = messages(d);
        CHECK_MSG(m, "a.md:6:1: error: a quoted field of this record is never closed",
                  "inline: unclosed quote");
        free(m);
        csv = "a,b\n1,\xC3\x28\n";
        t = dataset_parse_inline("a.md", 5, csv, strlen(csv), d);
        m = messages(d);
        CHECK_MSG(m, "a.md:6:3: error: invalid UTF-8 (byte 0xC3)", "inline: bad UTF-8");
        free(m);
        t = dataset_parse_inline("a.md", 5, "", 0, d);
        m = messages(d);
        CHECK(t == NULL, "inline: empty fails");
        CHECK_MSG(m, "a.md:5:1: error: empty table", "inline: empty message");
        free(m);
        t = dataset_parse_inline("a.md", 5, "a,b", 3, d);
        s = dump(json_object_get(t, "rows"));
        CHECK_STR(s, "[]", "inline: header only");
        free(s);
        json_decref(t);
        diag_free(d);
}

/* ---- size ---- */

static void test_big(void)
{
        struct buf csv = {0};
        buf_puts(&csv, "scheme,income,n\n");
        for (int i = 0; i < 10000; i++)
                buf_printf(&csv, "地区%d,%d.%d,%d\n", i, i * 3, i % 10, i);
        char *m;
        json_t *ds = load("big", F3, ", \"primaryKey\": [\"scheme\"]", "", buf_cstr(&csv), &m);
        CHECK(ds != NULL, "big: 10,000 rows load");
        CHECK(json_array_size(rows_of(ds)) == 10000, "big: 10,000 rows kept");
        json_t *last = json_array_get(rows_of(ds), 9999);
        CHECK(json_integer_value(json_array_get(last, 2)) == 9999, "big: last row's value");
        json_decref(ds);
        buf_free(&csv);
        free(m);
}

int main(void)
{
        snprintf(root, sizeof root, "/tmp/gongbao-dataset-XXXXXX");
        if (!mkdtemp(root)) {
                printf("FAIL mkdtemp\n");
                return 1;
        }
        cfg = json_loads("{\"tz_offset\": 480, \"topics\": [{\"slug\": \"health\", \"name\": "
                         "\"健康\"}]}",
                         0, NULL);
        test_csv();
        test_types();
        test_shape();
        test_descriptor();
        test_output();
        test_load_all();
        test_inline();
        test_big();
        json_decref(cfg);
        char *cmd = xasprintf("rm -rf '%s'", root);
        if (system(cmd) != 0)
                printf("FAIL cleanup %s\n", root);
        free(cmd);
        return check_exit();
}
