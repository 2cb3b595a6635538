"""Build the people golden fixtures from annotated sources (dev-time helper).

tests/fixtures/people/src/NAME.ann holds an article with mentions marked ``[[surface|Person]]``
(Person = the expected canonical people.name across all fixtures).  Paragraphs are separated by blank
lines; a paragraph starting with ``## `` is a heading, with ``[caption] `` a caption.  This writes
tests/fixtures/people/NAME.txt (the text, same paragraph conventions, no markup) and NAME.json with
the expected mentions ``[paragraph, char_start, surface, person]`` (offsets in the paragraph text
after its ``## ``/``[caption] `` prefix).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "people"
MARK = re.compile(r"\[\[([^|\]]+)\|([^\]]+)\]\]")


def build(src: Path) -> None:
    paras = [p for p in src.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    out_paras, mentions = [], []
    for i, para in enumerate(paras):
        para = para.strip()
        prefix = ""
        for pre in ("## ", "[caption] "):
            if para.startswith(pre):
                prefix, para = pre, para[len(pre):]
        text, pos = "", 0
        for m in MARK.finditer(para):
            text += para[pos : m.start()]
            mentions.append([i, len(text), m.group(1), m.group(2)])
            text += m.group(1)
            pos = m.end()
        text += para[pos:]
        out_paras.append(prefix + text)
    (HERE / (src.stem + ".txt")).write_text("\n\n".join(out_paras) + "\n", encoding="utf-8")
    (HERE / (src.stem + ".json")).write_text(
        json.dumps({"mentions": mentions}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    for src in sorted((HERE / "src").glob("*.ann")):
        build(src)
