/* What the libFuzzer targets share: a fixed site configuration, a scratch folder, file
 * writing, and an HTML oracle that aborts when generated markup could run script.
 * Included by each tests/fuzz/fuzz_*.c; every function is static. */
#ifndef GONGBAO_FUZZ_COMMON_H
#define GONGBAO_FUZZ_COMMON_H

#include "buf.h"
#include "diag.h"
#include "fsio.h"

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The configuration config_load gives for a small site with two topics. Caller decrefs. */
static json_t *fuzz_config(void)
{
        json_error_t e;
        json_t *cfg = json_loads(
            "{\"title\": \"测试站\", \"description\": \"\", \"language\": \"zh-CN\","
            " \"timezone\": \"+08:00\", \"tz_offset\": 480,"
            " \"base_url\": \"https://example.org/sub/\", \"base_path\": \"/sub/\","
            " \"per_page\": 10, \"feed_size\": 20,"
            " \"topics\": [{\"slug\": \"health\", \"name\": \"健康\", \"description\": \"\"},"
            "  {\"slug\": \"wages\", \"name\": \"欠薪\", \"description\": \"d\"}],"
            " \"navigation\": []}",
            0, &e);
        if (!cfg)
                abort();
        return cfg;
}

/* A fresh folder under $TMPDIR (or /tmp) for this process; the caller removes it. */
static char *fuzz_tmpdir(const char *tag)
{
        const char *base = getenv("TMPDIR");
        char *t = xasprintf("%s/gongbao-fuzz-%s-XXXXXX", base && *base ? base : "/tmp", tag);
        if (!mkdtemp(t))
                abort();
        return t;
}

/* Writes len bytes to path (parents created); aborts when it cannot, since that is the
 * harness failing, not the code under test. */
static void fuzz_write(const char *path, const void *data, size_t len)
{
        struct diag *d = diag_new();
        if (fsio_write(path, data, len, d) < 0) {
                diag_flush(d, stderr);
                abort();
        }
        diag_free(d);
}

/* Discards the messages of d (they are the expected outcome of bad input) and frees it. */
static void fuzz_diag_done(struct diag *d)
{
        FILE *null = fopen("/dev/null", "w");
        if (!null)
                abort();
        diag_flush(d, null);
        fclose(null);
        diag_free(d);
}

/* True when url, as a browser reads an attribute value, starts with a scheme that runs
 * or embeds content: javascript:, vbscript:, data: (ASCII whitespace and controls
 * skipped, as the URL parser strips them). */
static int fuzz_bad_scheme(const char *url)
{
        char s[16];
        size_t n = 0;
        const unsigned char *p = (const unsigned char *)url;
        while (*p && *p <= 0x20)
                p++;
        for (; *p && n < sizeof s - 1; p++) {
                if (*p == '\t' || *p == '\n' || *p == '\r')
                        continue;
                if (*p == ':')
                        break;
                s[n++] = (char)(*p | 0x20);
        }
        s[n] = '\0';
        if (*p != ':')
                return 0;
        return !strcmp(s, "javascript") || !strcmp(s, "vbscript") || !strcmp(s, "data");
}

/* Walks an HTML tree (iteratively) and reports the first thing that could run script:
 * a <script> other than JSON-LD, an on* attribute, a javascript:/vbscript:/data: URL in
 * href/src/action/formaction/xlink:href, an <iframe>, <object>, <embed>, <base>,
 * <meta http-equiv=refresh>, or a style attribute. Returns NULL when clean. */
static const char *fuzz_html_danger(xmlNode *root)
{
        xmlNode *n = root;
        while (n) {
                if (n->type == XML_ELEMENT_NODE) {
                        const char *name = (const char *)n->name;
                        if (!strcasecmp(name, "script")) {
                                /* JSON-LD data, or the theme's own file (a relative src and
                                 * no inline code) */
                                xmlChar *type = xmlGetProp(n, (const xmlChar *)"type");
                                xmlChar *src = xmlGetProp(n, (const xmlChar *)"src");
                                int ok = type && !strcmp((char *)type, "application/ld+json");
                                if (!ok && src && !n->children)
                                        ok = !strchr((char *)src, ':') &&
                                             strncmp((char *)src, "//", 2) &&
                                             strstr((char *)src, "static/js/");
                                xmlFree(type);
                                xmlFree(src);
                                if (!ok)
                                        return "script element";
                        }
                        if (!strcasecmp(name, "iframe") || !strcasecmp(name, "object") ||
                            !strcasecmp(name, "embed") || !strcasecmp(name, "base") ||
                            !strcasecmp(name, "frame") || !strcasecmp(name, "applet"))
                                return "embedding element";
                        for (xmlAttr *a = n->properties; a; a = a->next) {
                                const char *an = (const char *)a->name;
                                if ((an[0] | 0x20) == 'o' && (an[1] | 0x20) == 'n')
                                        return "event handler attribute";
                                if (!strcasecmp(an, "style"))
                                        return "style attribute";
                                if (!strcasecmp(an, "href") || !strcasecmp(an, "src") ||
                                    !strcasecmp(an, "action") || !strcasecmp(an, "formaction") ||
                                    !strcasecmp(an, "xlink:href") || !strcasecmp(an, "srcdoc")) {
                                        xmlChar *v = xmlNodeGetContent((xmlNode *)a);
                                        int bad = v && fuzz_bad_scheme((const char *)v);
                                        xmlFree(v);
                                        if (bad)
                                                return "dangerous URL";
                                }
                        }
                        if (!strcasecmp(name, "meta")) {
                                xmlChar *h = xmlGetProp(n, (const xmlChar *)"http-equiv");
                                int bad = h && !strcasecmp((char *)h, "refresh");
                                xmlFree(h);
                                if (bad)
                                        return "meta refresh";
                        }
                }
                if (n->children && n->type == XML_ELEMENT_NODE) {
                        n = n->children;
                        continue;
                }
                while (n && !n->next && n != root)
                        n = n->parent;
                if (!n || n == root)
                        break;
                n = n->next;
        }
        return NULL;
}

static void fuzz_xml_quiet(void *ctx, const char *msg, ...)
{
        (void)ctx;
        (void)msg;
}

/* Parses html (a fragment or a page) as a browser would and aborts, printing why and the
 * markup, when it holds anything fuzz_html_danger names. */
static void fuzz_check_html(const char *html, size_t len, const char *what)
{
        xmlSetGenericErrorFunc(NULL, fuzz_xml_quiet);
        htmlDocPtr doc = htmlReadMemory(html, (int)len, "fuzz.html", "UTF-8",
                                        HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                            HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED);
        if (!doc)
                return;
        const char *why = NULL;
        for (xmlNode *n = doc->children; n && !why; n = n->next)
                why = fuzz_html_danger(n);
        xmlFreeDoc(doc);
        if (why) {
                fprintf(stderr, "fuzz: %s in %s:\n%.*s\n", why, what,
                        (int)(len > 4000 ? 4000 : len), html);
                abort();
        }
}

/* Aborts when text (an SVG or a table meant to be well-formed XML) does not parse as XML. */
static void fuzz_check_xml(const char *text, size_t len, const char *what)
{
        xmlSetGenericErrorFunc(NULL, fuzz_xml_quiet);
        xmlDocPtr doc = xmlReadMemory(text, (int)len, "fuzz.xml", "UTF-8",
                                      XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NONET |
                                          XML_PARSE_HUGE);
        if (!doc) {
                fprintf(stderr, "fuzz: %s is not well-formed XML:\n%.*s\n", what,
                        (int)(len > 4000 ? 4000 : len), text);
                abort();
        }
        const char *why = fuzz_html_danger(xmlDocGetRootElement(doc));
        xmlFreeDoc(doc);
        if (why) {
                fprintf(stderr, "fuzz: %s in %s:\n%.*s\n", why, what,
                        (int)(len > 4000 ? 4000 : len), text);
                abort();
        }
}

#endif
