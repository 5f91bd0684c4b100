#!/usr/bin/env python3
"""Writes a content folder with every XSS payload of payloads.txt in every field a writer
controls: site.yaml (title, description, topic names and descriptions, navigation titles
and URLs), articles (title, summary, tags, author, source, region, image alt, corrections,
and in the body: text, headings, link text, link URLs, link titles, image alt and titles,
autolinks, code, raw HTML, a table block's caption, header and cells, a chart block's title),
pages (title, summary, body) and datasets (title, description, region, period, unit,
sources, licences, revisions, field names, titles, units and descriptions, CSV headers and
cells, chart title and subtitle).

Each payload's marker XSS becomes alert(N) (odd N) or xss(N) (even N), N its line in
payloads.txt, so that a payload that ever runs either opens a dialog or calls the
window.xss function the browser test defines, and says which one it was.

    make_site.py PAYLOADS OUT_DIR     (writes OUT_DIR/content)
"""
import csv
import io
import json
import os
import sys
import urllib.parse


def q(s):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def md_escape_url(s):
    """A link destination in <...>: no '<', '>' or line ends inside."""
    return s.replace('<', '%3C').replace('>', '%3E').replace('\n', ' ')


def md_title(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def main():
    src, out = sys.argv[1], sys.argv[2]
    payloads = []
    with open(src, encoding='utf-8') as f:
        for n, line in enumerate(f.read().split('\n'), 1):
            if line.strip():
                call = 'alert(%d)' % n if n % 2 else 'xss(%d)' % n
                payloads.append((n, line.replace('XSS', call)))
    content = os.path.join(out, 'content')
    for sub in ('articles', 'pages', 'data', 'media'):
        os.makedirs(os.path.join(content, sub), exist_ok=True)
    with open(os.path.join(content, 'media', 'x.png'), 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n')

    # site.yaml
    y = ['title: ' + q('公报 ' + payloads[0][1] + ' ' + payloads[1][1]),
         'description: ' + q(' '.join(p for _, p in payloads[2:6])),
         'base_url: "https://example.org/portal/"',
         'topics:']
    for n, p in payloads:
        y += ['  t%02d:' % n, '    name: ' + q(p), '    description: ' + q('专题 ' + p)]
    y.append('navigation:')
    for n, p in payloads[:12]:
        y += ['  - title: ' + q(p), '    url: ' + q(p)]
    with open(os.path.join(content, 'site.yaml'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(y) + '\n')

    for n, p in payloads:
        ds = 'ds%02d' % n
        # an article with the payload everywhere
        fm = ['---',
              'title: ' + q(p),
              'date: 2025-01-%02dT09:00:00+08:00' % (1 + n % 28),
              'topics: [t%02d]' % n,
              'tags: [%s]' % q(p),
              'summary: ' + q(p),
              'author: ' + q(p),
              'source: ' + q(p),
              'region: ' + q(p),
              'image: "/media/x.png"',
              'image_alt: ' + q(p),
              'datasets: [%s]' % ds,
              'corrections:',
              '  - date: 2025-02-01T09:00:00+08:00',
              '    note: ' + q(p),
              '---', '']
        table = io.StringIO()
        w = csv.writer(table, lineterminator='\n')
        w.writerow([p, '数值'])
        w.writerow([p, '1'])
        w.writerow(['普通', '2'])
        auto = p if ':' in p and not any(c in p for c in ' <>\t') else 'https://example.org/'
        body = [
            p, '',
            '## ' + p, '',
            '[%s](<%s> %s)' % (p, md_escape_url(p), md_title(p)), '',
            '![%s](/media/x.png %s)' % (p, md_title(p)), '',
            '<%s>' % auto, '',
            '`%s`' % p.replace('`', "'"), '',
            '    ' + p, '',
            p, '',
            '```table', 'caption: ' + p, table.getvalue().rstrip('\n'), '```', '',
            '```chart', 'dataset: ' + ds, 'title: ' + q(p), 'subtitle: ' + q(p), '```', '',
            '> ' + p, '',
            '- ' + p, '',
            '链接到[数据](/data/%s/)。' % ds, '',
        ]
        with open(os.path.join(content, 'articles', 'a%02d.md' % n), 'w', encoding='utf-8') as f:
            f.write('\n'.join(fm + body) + '\n')

        # a standalone page
        with open(os.path.join(content, 'pages', 'p%02d.md' % n), 'w', encoding='utf-8') as f:
            f.write('---\ntitle: %s\nsummary: %s\n---\n\n%s\n\n## %s\n\n[%s](<%s>)\n'
                    % (q(p), q(p), p, p, p, md_escape_url(p)))

        # a dataset
        d = os.path.join(content, 'data', ds)
        os.makedirs(d, exist_ok=True)
        field = p if p.strip() else 'v'
        pkg = {
            'name': ds, 'title': p, 'description': p, 'topics': ['t%02d' % n],
            'region': p, 'period': p, 'unit': p,
            'published': '2025-01-14', 'updated': '2025-01-15',
            'sources': [{'title': p, 'path': 'https://example.org/?q=' + urllib.parse.quote(p)}],
            'licenses': [{'name': 'CC-BY-4.0', 'title': p, 'path': 'https://example.org/l'}],
            'revisions': [{'date': '2025-01-15', 'reason': 'correction', 'note': p}],
            'chart': {'type': ('bar', 'hbar', 'line', 'stacked')[n % 4], 'x': 'scheme',
                      'y': [field], 'title': p, 'subtitle': p},
            'resources': [{
                'name': ds, 'path': ds + '.csv', 'title': p, 'description': p,
                'schema': {'fields': [
                    {'name': 'scheme', 'type': 'string', 'title': p, 'description': p},
                    {'name': field, 'type': 'number', 'title': p, 'unit': p,
                     'description': p}]}}],
        }
        with open(os.path.join(d, 'datapackage.json'), 'w', encoding='utf-8') as f:
            json.dump(pkg, f, ensure_ascii=False, indent=1)
        with open(os.path.join(d, ds + '.csv'), 'w', encoding='utf-8', newline='') as f:
            w = csv.writer(f, lineterminator='\n')
            w.writerow(['scheme', field])
            w.writerow([p, '23700'])
            w.writerow(['其他' + p, '-5.5'])
    print(len(payloads))


if __name__ == '__main__':
    main()
