#!/usr/bin/env python3
"""The feeds and data files of the hostile site: every RSS and Atom file parses as XML
(no payload broke out of its element or CDATA), the HTML they carry for feed readers
(RSS description / content:encoded, Atom content and summary, JSON Feed content_html) has
nothing that runs script, feed.json and every JSON download parse, and sitemap.xml parses.
Prints one PASS/FAIL line per check.

    check_feeds.py SITE_DIR
"""
import html.parser
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

BAD_URL = re.compile(r'^[\x00-\x20]*(j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t|v\s*b\s*s\s*c\s*r\s*i\s*p\s*t|d\s*a\s*t\s*a)\s*:', re.I)
URL_ATTRS = {'href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcdoc', 'background', 'poster'}
BAD_TAGS = {'script', 'iframe', 'frame', 'object', 'embed', 'base', 'applet', 'style', 'link', 'meta', 'form'}


class Danger(html.parser.HTMLParser):
    """Collects what in an HTML fragment could run script in a feed reader."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in BAD_TAGS:
            self.found.append('<%s>' % tag)
        for name, value in attrs:
            if name.startswith('on') or name == 'style':
                self.found.append('%s %s=' % (tag, name))
            if name in URL_ATTRS and value and BAD_URL.match(value):
                self.found.append('%s %s=%s' % (tag, name, value[:40]))

    handle_startendtag = handle_starttag


def danger(fragment):
    p = Danger()
    p.feed(fragment)
    p.close()
    return p.found


def main():
    site = sys.argv[1]
    failed = 0

    def report(ok, name, why=''):
        nonlocal failed
        if ok:
            print('PASS xss: ' + name)
        else:
            failed += 1
            print('FAIL xss: %s: %s' % (name, why))

    xml_files, json_files = [], []
    for root, _, files in os.walk(site):
        for f in files:
            p = os.path.join(root, f)
            if f.endswith('.xml'):
                xml_files.append(p)
            elif f.endswith('.json') and '/search/' not in p + '/':
                json_files.append(p)
    bad_xml, bad_html, fragments = [], [], 0
    for p in sorted(xml_files):
        try:
            tree = ET.parse(p)
        except ET.ParseError as e:
            bad_xml.append('%s: %s' % (os.path.relpath(p, site), e))
            continue
        parent = {id(c): p.tag for p in tree.iter() for c in p}
        for el in tree.iter():
            tag = el.tag.split('}')[-1]
            atom = el.tag.startswith('{http://www.w3.org/2005/Atom}')
            # RSS: description and content:encoded hold HTML; Atom: what type says
            # (the channel's own description is plain text: a phrase about the feed)
            html_carrier = (tag in ('content', 'summary', 'title', 'subtitle') and
                            el.get('type') in ('html', 'xhtml')) if atom else \
                (tag == 'encoded' or (tag == 'description' and parent.get(id(el)) == 'item'))
            if html_carrier and el.text:
                fragments += 1
                d = danger(el.text)
                if d:
                    bad_html.append('%s <%s>: %s' % (os.path.relpath(p, site), tag, ', '.join(d[:3])))
    report(not bad_xml and xml_files, '%d RSS/Atom/sitemap files parse as XML' % len(xml_files),
           '; '.join(bad_xml[:3]) or 'no XML files')
    report(not bad_html, '%d HTML fragments in RSS/Atom carry nothing that runs' % fragments,
           '; '.join(bad_html[:3]))

    bad_json, bad_jf = [], []
    for p in sorted(json_files):
        try:
            with open(p, encoding='utf-8') as f:
                j = json.load(f)
        except ValueError as e:
            bad_json.append('%s: %s' % (os.path.relpath(p, site), e))
            continue
        if os.path.basename(p) == 'feed.json':
            for item in j.get('items', []):
                for key in ('content_html', 'summary'):
                    d = danger(item.get(key, '')) if key == 'content_html' else []
                    if d:
                        bad_jf.append('%s: %s' % (item.get('id'), ', '.join(d[:3])))
    report(not bad_json, '%d JSON files (JSON Feed, downloads, data packages) parse' % len(json_files),
           '; '.join(bad_json[:3]))
    report(not bad_jf, 'JSON Feed content_html carries nothing that runs', '; '.join(bad_jf[:3]))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
