#!/usr/bin/env python3
"""Measures a built site's search index: its total size, and the bytes one query loads
(search-index.js, the term shards of each word, the document shards of the 20 hits shown),
following the same rules as themes/default/static/app.js.

usage: scripts/search-bytes.py SITE_DIR QUERY...
"""
import json
import pathlib
import re
import sys

SPLIT = re.compile(r"[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+")


def terms(text):
    return [t[:32] for t in SPLIT.split(text.lower()) if t]


def load(path, prefix):
    text = path.read_text()
    assert text.startswith(prefix), path
    return json.loads(text[len(prefix):].rstrip().rstrip(";").rstrip(")"))


def main():
    site = pathlib.Path(sys.argv[1])
    manifest_path = site / "search-index.js"
    manifest = load(manifest_path, "window.RUNBOOK_SEARCH=")
    files = [manifest_path] + sorted((site / "search").glob("*.js")) if (site / "search").is_dir() else [manifest_path]
    total = sum(f.stat().st_size for f in files)
    md = sum(p.stat().st_size for p in site.parent.glob("content/**/*.md"))
    print(f"index: {total:,} bytes in {len(files)} files ({100 * total / md:.0f}% of {md:,} bytes of Markdown); "
          f"search-index.js {manifest_path.stat().st_size:,} bytes")
    if manifest["keys"] is None:
        print("small book: everything is inline in search-index.js")
        return
    keys = manifest["keys"]
    for query in sys.argv[2:]:
        words = terms(query)
        shard_ids = set()
        maps = []
        for w in words:
            best, ids = None, []
            for i, k in enumerate(keys):
                if w.startswith(k) and (best is None or len(k) > len(keys[best])):
                    best = i
                elif len(w) > 1 and len(k) > len(w) and k.startswith(w):
                    ids.append(i)
            if best is not None:
                ids.append(best)
            hits = {}
            for i in ids:
                shard_ids.add(i)
                table = load(site / "search" / f"t{i}.js", f'RUNBOOK_SEARCH_SHARD("t",{i},')
                for term, postings in table.items():
                    if not (term.startswith(w) if len(w) > 1 else term == w):
                        continue
                    item = 0
                    for p in postings:
                        item += p >> 4
                        hits[item] = hits.get(item, 0) | (p & 15)
            maps.append(hits)
        weight = lambda f: (3 if f & 4 else 0) + (2 if f & 2 else 0) + (1 if f & 1 else 0)
        maps.sort(key=len)
        found = []
        for item, f in (maps[0].items() if maps else []):
            if all(item in m for m in maps[1:]):
                flags = [m[item] for m in maps]
                any_flags = 0
                for x in flags:
                    any_flags |= x
                found.append((-(sum(map(weight, flags)) + (1 if any_flags & 8 else 0)), item))
        found.sort()
        docs = {item // manifest["per"] for _, item in found[:20]}
        term_bytes = sum((site / "search" / f"t{i}.js").stat().st_size for i in shard_ids)
        doc_bytes = sum((site / "search" / f"d{i}.js").stat().st_size for i in docs)
        loaded = manifest_path.stat().st_size + term_bytes + doc_bytes
        print(f"{query!r}: {len(found):,} matches; loads {loaded:,} bytes = search-index.js "
              f"+ {len(shard_ids)} term shards ({term_bytes:,}) + {len(docs)} document shards ({doc_bytes:,})")


if __name__ == "__main__":
    main()
