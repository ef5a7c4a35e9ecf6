#!/usr/bin/env python3
"""Generates a benchmark corpus of N runbooks from the example book in content/.

Each copy of the book renames its services and namespaces, so the corpus is not N identical
files and drift rules see realistic variety, and keeps the book's folder layout, so links
still resolve. Deterministic: the same N gives the same bytes.

A stamp (N and a hash of the example book) is written next to the corpus: a corpus made from
an older example book is made again, so benchmarks never measure a stale one by mistake.

usage: scripts/gen-corpus.py N OUT_DIR
"""
import hashlib
import pathlib
import shutil
import sys

def main() -> None:
    n, out = int(sys.argv[1]), pathlib.Path(sys.argv[2])
    src = pathlib.Path(__file__).resolve().parent.parent / "content"
    templates = sorted(p for p in src.rglob("*.md") if p.name != "README.md")
    texts = [(p.relative_to(src), p.read_text()) for p in templates]
    digest = hashlib.sha256(repr((n, texts)).encode()).hexdigest()
    stamp = out / "corpus.stamp"
    if stamp.is_file() and stamp.read_text() == digest:
        print(f"{out} is up to date ({n} runbooks)")
        return
    shutil.rmtree(out / "content", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "book.toml").write_text('[book]\ntitle = "Benchmark corpus"\nsrc = "content"\n')
    total = 0
    for i in range(n):
        rel, text = texts[i % len(texts)]
        family = i // len(texts)
        text = (text.replace("parcel-api", f"parcel-api-{family}")
                    .replace("route-planner", f"route-planner-{family}")
                    .replace("notify-worker", f"notify-worker-{family}")
                    .replace("logistics", f"team{family % 50}"))
        # Each copy of the book keeps its folder layout, so its relative links still resolve.
        dest = out / "content" / f"group{family % 100:02d}" / f"copy{family}" / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text)
        total += len(text.encode())
    stamp.write_text(digest)
    print(f"{n} runbooks, {total / 1e6:.1f} MB of Markdown in {out}")

if __name__ == "__main__":
    main()
