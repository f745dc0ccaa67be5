"""Rebuild the commune and caisse reference data of ``app/rules/data/`` from pinned open data.

Run ``python -m app.devtools.build_communes`` (needs ``npm`` and the npm registry). It fetches two
pinned npm packages with ``npm pack`` into a temporary directory, checks their integrity hashes,
reads their JSON without installing anything, and writes:

- ``communes.csv``: one row per current commune or municipal arrondissement (Paris, Lyon,
  Marseille), with its département, arrondissement départemental, population and postal codes
  (``;``-joined), sorted by INSEE code so that a yearly rebuild gives a readable diff;
- ``SOURCES.md``: what was used, at which version, under which licence, when, and the routing rules
  of the départements shared by several caisses (rendered from ``app.rules.territory``, so that the
  document and the code cannot drift apart).

With ``--caisses PATH`` it also rewrites ``caisses.csv`` from the project's shared reference file,
adding a stable ``key`` slug as first column and leaving every other value as it is (empty stays
empty).

Why npm packages rather than the INSEE and La Poste files directly: the packages are versioned,
small, already joined (communes with postal codes and populations), and MIT-licensed; pinning a
version and its integrity hash makes the build reproducible. The packages themselves are never
committed.
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import hashlib
import json
import re
import subprocess
import tarfile
import tempfile
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.rules import territory

DATA_DIR = Path(__file__).resolve().parent.parent / "rules" / "data"

COMMUNE_COLUMNS = ("insee", "name", "departement", "arrondissement", "population", "postal_codes")

# Types of decoupage-administratif entries that are places people live in today. Communes déléguées
# and associées are former communes inside a current one: their postal codes belong to the parent.
CURRENT_TYPES = frozenset({"commune-actuelle", "arrondissement-municipal"})
FORMER_TYPES = frozenset({"commune-deleguee", "commune-associee"})

# Every caisse row must carry these, or routing and the caisse pages would have nothing to show.
REQUIRED_CAISSE_FIELDS = ("name", "departement")

# Postal codes that must resolve to exactly one entry (a municipal arrondissement): a sanity check
# that the parent communes of Paris, Lyon and Marseille no longer claim their arrondissements'
# codes.
PLM_CHECKS = {"75011": "75111", "75116": "75116", "69003": "69383", "13008": "13208"}


@dataclass(frozen=True)
class NpmPackage:
    """One pinned npm package: version and the registry's integrity hash, checked after download."""

    name: str
    version: str
    integrity: str
    licence: str
    files: tuple[str, ...]

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


DECOUPAGE = NpmPackage(
    name="@etalab/decoupage-administratif",
    version="6.0.0",
    integrity=(
        "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dCYhWWcf+7bcWpA5pmCaQ=="
    ),
    licence="MIT",
    files=(
        "package/data/communes.json",
        "package/data/departements.json",
        "package/data/arrondissements.json",
    ),
)
CODES_POSTAUX = NpmPackage(
    name="codes-postaux",
    version="4.1.2",
    integrity=(
        "sha512-naSV2sect0t5YmX9GhQgvBD/eLGtdhbhMSEu2eYx7Gwd2zpzH2qY2CQI2r41zb5/97YOuIwLVbuHxA1TCDuIZA=="
    ),
    licence="MIT",
    files=("package/codes-postaux.json",),
)
PACKAGES = (DECOUPAGE, CODES_POSTAUX)


class BuildError(RuntimeError):
    """The downloaded data does not look as expected: stop rather than commit a broken file."""


def npm_pack(package: NpmPackage, dest: Path) -> Path:
    """Download the package tarball into ``dest`` and check it against the pinned integrity hash."""
    result = subprocess.run(
        ["npm", "pack", package.spec, "--json", "--pack-destination", str(dest)],
        cwd=dest,
        check=True,
        capture_output=True,
        text=True,
    )
    filename = json.loads(result.stdout)[0]["filename"]
    tarball = dest / filename
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode("ascii")
    if f"sha512-{digest}" != package.integrity:
        raise BuildError(f"{package.spec}: integrity mismatch (got sha512-{digest})")
    return tarball


def read_package_json(tarball: Path, member: str) -> Any:
    """Read one JSON file straight from the tarball, without extracting anything to disk."""
    with tarfile.open(tarball, "r:gz") as archive:
        handle = archive.extractfile(member)
        if handle is None:
            raise BuildError(f"{tarball.name}: {member} is not a regular file")
        with handle:
            return json.load(handle)


@dataclass
class CommuneRow:
    """One line of communes.csv, mutable while postal codes are being attached."""

    insee: str
    name: str
    departement: str
    arrondissement: str
    population: int
    postal_codes: set[str]

    def as_csv(self) -> list[str]:
        return [
            self.insee,
            self.name,
            self.departement,
            self.arrondissement,
            str(self.population),
            ";".join(sorted(self.postal_codes)),
        ]


@dataclass
class CommuneBuild:
    """The rows to write plus what the build had to decide, for the summary and SOURCES.md."""

    rows: list[CommuneRow]
    municipal_arrondissements: int
    plm_parents: list[str]
    from_former_communes: list[tuple[str, str]]
    from_codes_postaux: list[tuple[str, str]]
    codes_postaux_unresolved: list[str]


def build_communes(entries: list[dict[str, Any]], codes_postaux: list[dict[str, Any]]) -> CommuneBuild:
    """Select current communes and attach postal codes.

    decoupage-administratif (La Poste's base, current year) is authoritative for postal codes. Two
    fallbacks only add postal codes nothing current claims, so they never change an existing
    answer: a code held only by a former commune goes to its parent, and a code known only to
    codes-postaux (military "AIR" and CEDEX codes, codes La Poste has since retired) goes to the
    current commune that its entry designates (directly, through a former commune, or through a
    former INSEE code).
    """
    rows: dict[str, CommuneRow] = {}
    parent_of_former: dict[str, str] = {}
    parent_of_old_code: dict[str, str] = {}
    plm_parents: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry["type"] in CURRENT_TYPES:
            rows[entry["code"]] = CommuneRow(
                insee=entry["code"],
                name=entry["nom"],
                departement=entry["departement"],
                arrondissement=entry.get("arrondissement", ""),
                population=int(entry.get("population", 0)),
                postal_codes=set(entry.get("codesPostaux", ())),
            )
            for old in entry.get("anciensCodes", ()):
                parent_of_old_code[old] = entry["code"]
            if entry["type"] == "arrondissement-municipal":
                plm_parents[entry["commune"]].update(entry.get("codesPostaux", ()))
        elif entry["type"] in FORMER_TYPES:
            parent_of_former[entry["code"]] = entry["chefLieu"]
        else:
            raise BuildError(f"unknown commune type {entry['type']!r} for {entry['code']}")

    # Paris, Lyon and Marseille list every arrondissement's postal code too; without this each of
    # those codes would offer both "Paris" and "Paris 11e Arrondissement".
    for parent, codes in plm_parents.items():
        rows[parent].postal_codes -= codes

    def claimed() -> set[str]:
        return {code for row in rows.values() for code in row.postal_codes}

    known = claimed()
    from_former: list[tuple[str, str]] = []
    for entry in entries:
        if entry["type"] in FORMER_TYPES:
            for code in entry.get("codesPostaux", ()):
                if code not in known:
                    parent = parent_of_former[entry["code"]]
                    rows[parent].postal_codes.add(code)
                    from_former.append((code, parent))

    known = claimed()
    from_cp: set[tuple[str, str]] = set()
    unresolved: set[str] = set()
    for item in codes_postaux:
        code, insee = item["codePostal"], item["codeCommune"]
        if code in known:
            continue
        target = insee if insee in rows else parent_of_former.get(insee) or parent_of_old_code.get(insee)
        if target is None or target not in rows:
            unresolved.add(f"{code} {insee} {item['nomCommune']}")
            continue
        from_cp.add((code, target))
    for code, target in from_cp:
        rows[target].postal_codes.add(code)

    return CommuneBuild(
        rows=[rows[insee] for insee in sorted(rows)],
        municipal_arrondissements=sum(1 for entry in entries if entry["type"] == "arrondissement-municipal"),
        plm_parents=sorted(plm_parents),
        from_former_communes=sorted(from_former),
        from_codes_postaux=sorted(from_cp),
        codes_postaux_unresolved=sorted(unresolved),
    )


def check_communes(build: CommuneBuild) -> None:
    """Refuse to write data that would break the routing the portal relies on."""
    by_code: dict[str, list[str]] = defaultdict(list)
    for row in build.rows:
        if not re.fullmatch(r"[0-9][0-9AB][0-9]{3}", row.insee):
            raise BuildError(f"unexpected INSEE code {row.insee!r}")
        for code in row.postal_codes:
            if not re.fullmatch(r"[0-9]{5}", code):
                raise BuildError(f"{row.insee}: unexpected postal code {code!r}")
            by_code[code].append(row.insee)
    for code, insee in PLM_CHECKS.items():
        if by_code.get(code) != [insee]:
            raise BuildError(f"{code} should map to {insee} only, got {by_code.get(code)}")
    departements = {row.departement for row in build.rows}
    for expected in ("2A", "2B", "971", "972", "973", "974", "976"):
        if expected not in departements:
            raise BuildError(f"no commune in département {expected}")


def check_routing(build: CommuneBuild, caisses: list[dict[str, str]]) -> None:
    """Check the routing tables of the territory module against the data just built.

    A commune merged away or moved to another arrondissement would otherwise silently fall back to
    the arrondissement's default caisse.
    """
    by_insee = {row.insee: row for row in build.rows}
    keys = {row["key"] for row in caisses}
    for insee, key in territory.COMMUNE_ROUTES.items():
        row = by_insee.get(insee)
        if row is None or row.arrondissement != "595":
            raise BuildError(f"COMMUNE_ROUTES: {insee} is not a commune of the arrondissement 595")
        if key not in keys:
            raise BuildError(f"COMMUNE_ROUTES: unknown caisse key {key!r}")
    split = {
        row["departement"]
        for row in caisses
        if sum(other["departement"] == row["departement"] for other in caisses) > 1
    }
    for row in build.rows:
        if row.departement in split and row.arrondissement not in territory.ARRONDISSEMENT_ROUTES:
            raise BuildError(f"{row.insee}: arrondissement {row.arrondissement!r} has no route")
    for key in territory.ARRONDISSEMENT_ROUTES.values():
        if key not in keys:
            raise BuildError(f"ARRONDISSEMENT_ROUTES: unknown caisse key {key!r}")


def write_communes(rows: list[CommuneRow], path: Path) -> None:
    """Write communes.csv with Unix line ends, so that a rebuild diffs cleanly on every platform."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COMMUNE_COLUMNS)
        writer.writerows(row.as_csv() for row in rows)


def slugify(name: str) -> str:
    """Stable key for a caisse: ASCII words of its name, lowercase, joined by ``-``.

    Parenthesised asides ("(Assurance Maladie de Paris)", "(CCSS)") are dropped so that the key
    stays short and does not change when an alias is added to the name.
    """
    without_asides = re.sub(r"\([^)]*\)", " ", name)
    return territory.fold_text(without_asides).replace(" ", "-")


def copy_caisses(source: Path, path: Path) -> int:
    """Copy the shared caisses file, adding the ``key`` column first; return the number of rows."""
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or ())
        rows = list(reader)
    if "key" in columns:
        raise BuildError(f"{source} already has a key column")
    keys = [slugify(row["name"]) for row in rows]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise BuildError(f"duplicate caisse keys: {duplicates}")
    for row in rows:
        missing = [field for field in REQUIRED_CAISSE_FIELDS if not row[field]]
        if missing:
            raise BuildError(f"caisse row {row} lacks {missing}")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["key", *columns])
        writer.writerows(
            [key, *(row[column] for column in columns)] for key, row in zip(keys, rows, strict=True)
        )
    return len(rows)


def read_caisses(path: Path) -> list[dict[str, str]]:
    """Rows of our caisses.csv, to check the routing tables and document them."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def paragraph(*sentences: str) -> list[str]:
    """A Markdown paragraph wrapped at 100 columns, followed by a blank line."""
    return [*textwrap.wrap(" ".join(sentences), width=100, break_on_hyphens=False), ""]


def bullets(items: list[str]) -> list[str]:
    """A Markdown list, each item wrapped at 100 columns, followed by a blank line."""
    lines: list[str] = []
    for item in items:
        lines += textwrap.wrap(
            item,
            width=100,
            initial_indent="- ",
            subsequent_indent="  ",
            break_on_hyphens=False,
        )
    return [*lines, ""]


def routing_section(
    build: CommuneBuild, caisses: list[dict[str, str]], arrondissement_names: dict[str, str]
) -> list[str]:
    """Markdown for the split-département rules, read from the routing tables of the territory."""
    names = {row.insee: row.name for row in build.rows}
    caisse_names = {row["key"]: row["name"] for row in caisses}
    lines = [
        "## Routing of the départements shared by several caisses",
        "",
        *paragraph(
            "No official list of the communes each caisse serves was found (see the",
            "`communes_rule` column of `caisses.csv`). `app/rules/territory.py` routes these",
            "communes by their arrondissement départemental (INSEE, from decoupage-administratif),",
            "with an explicit list of communes for the sectors inside the arrondissement of Lille.",
            "**This is an approximation**: the portal must let the user correct the caisse it",
            "proposes.",
        ),
        "| département | arrondissement | caisse |",
        "|---|---|---|",
    ]
    for code, key in sorted(territory.ARRONDISSEMENT_ROUTES.items()):
        arrondissement = f"{code} {arrondissement_names[code]}"
        lines.append(f"| {code[:2]} | {arrondissement} | {caisse_names[key]} (`{key}`) |")
    lines.append("")
    lines += paragraph("Communes of the arrondissement of Lille (595) routed by name, not by arrondissement:")
    by_key: dict[str, list[str]] = defaultdict(list)
    for insee, key in sorted(territory.COMMUNE_ROUTES.items()):
        by_key[key].append(f"{names[insee]} ({insee})")
    lines += bullets(
        [f"{caisse_names[key]} (`{key}`): {', '.join(communes)}." for key, communes in sorted(by_key.items())]
    )
    lines += paragraph(
        "Nieppe, next to Armentières, is in the arrondissement of Dunkerque: it goes to the",
        "CPAM des Flandres through its arrondissement.",
    )
    lines += paragraph(
        "The Landes row of `caisses.csv` says the canton of Saint-Martin-de-Seignanx was",
        "historically attached to the CPAM de Bayonne, with its current status not verified:",
        "this is **not** applied, every commune of the Landes goes to the CPAM des Landes.",
    )
    return lines


def write_sources(
    path: Path,
    build: CommuneBuild,
    caisses: list[dict[str, str]],
    departement_names: dict[str, str],
    arrondissement_names: dict[str, str],
) -> None:
    """Write SOURCES.md: provenance of each data file of this folder and the routing rules."""
    rows = build.rows
    by_insee = {row.insee: row for row in rows}
    plm = ", ".join(f"{by_insee[insee].name} {insee}" for insee in build.plm_parents)
    covered = {row["departement"] for row in caisses}
    uncovered = sorted({row.departement for row in rows} - covered)
    postal_codes = {code for row in rows for code in row.postal_codes}
    supplemented = ", ".join(f"{code}→{insee}" for code, insee in build.from_codes_postaux)
    lines = [
        "# Sources of `app/rules/data/`",
        "",
        *paragraph(
            f"Built on {dt.date.today().isoformat()} by `python -m app.devtools.build_communes`",
            "(do not edit `communes.csv` by hand: change the script and run it again).",
        ),
        "## Packages (fetched with `npm pack`, integrity checked, never committed)",
        "",
        "| package | version | licence | integrity | files read |",
        "|---|---|---|---|---|",
    ]
    for package in PACKAGES:
        files = ", ".join(f"`{name.removeprefix('package/')}`" for name in package.files)
        lines.append(
            f"| `{package.name}` | {package.version} | {package.licence} | `{package.integrity}` | {files} |"
        )
    lines.append("")
    lines += paragraph(
        "Both packages are published under the MIT licence (their `package.json` and `LICENSE`).",
        "decoupage-administratif's README adds that its data is under the Licence Ouverte",
        "(Etalab) and names its upstream sources: INSEE's Code officiel géographique (communes,",
        "arrondissements), INSEE's populations légales (municipal population) and La Poste's",
        "base officielle des codes postaux. codes-postaux names INSEE's Code officiel",
        "géographique and the DGFiP's FIMOCT, which it says has not been produced since 2023.",
    )
    lines += ["## `communes.csv`", ""]
    lines += paragraph(
        f"UTF-8, comma-separated, one row per commune, sorted by INSEE code: {len(rows)} rows,",
        f"{len(postal_codes)} distinct postal codes. Columns:",
    )
    lines += bullets(
        [
            "`insee`: INSEE code of the commune (`2A004`, `97411`, `75111`);",
            "`name`: official name;",
            "`departement`: `01`…`95`, `2A`/`2B` (Corsica), `971`…`976`, or the code of an overseas"
            " collectivité (`975`, `977`, `978`, `984`, `986`…`989`);",
            "`arrondissement`: arrondissement départemental (empty in the overseas collectivités);",
            "`population`: municipal population (0 where INSEE publishes none);",
            "`postal_codes`: `;`-joined and sorted; empty for the parent communes of Paris, Lyon"
            " and Marseille and for the uninhabited Terres australes et antarctiques françaises.",
        ]
    )
    lines += paragraph("Selection and postal codes:")
    items = [
        "only the `commune-actuelle` and `arrondissement-municipal` entries of"
        " decoupage-administratif; communes déléguées and associées are skipped;",
        f"the {build.municipal_arrondissements} municipal arrondissements of Paris, Lyon and"
        f" Marseille carry their own postal codes; their parent communes ({plm}) are kept without"
        " postal codes, so that `75011` gives the 11th arrondissement alone;",
        "decoupage-administratif's postal codes are authoritative; a postal code held only by a"
        " commune déléguée or associée goes to its parent commune"
        f" ({len(build.from_former_communes)} such codes in this build);",
        "codes-postaux only adds postal codes that decoupage-administratif does not list at all"
        " (military and CEDEX codes, retired codes), attached to the current commune they"
        f" designate ({len(build.from_codes_postaux)} pairs): {supplemented}.",
    ]
    if build.codes_postaux_unresolved:
        items.append(
            "codes-postaux entries whose commune could not be traced to a current one: "
            + ", ".join(build.codes_postaux_unresolved)
            + "."
        )
    lines += bullets(items)
    lines += ["## `caisses.csv`", ""]
    lines += paragraph(
        f"{len(caisses)} caisses, copied from the project's shared reference data",
        "(`data/caisses.csv`: facts gathered from public material, with a `source_url` and a",
        "`confidence` per row) by `python -m app.devtools.build_communes --caisses PATH`. The only",
        "change is the added first column `key`: the name in lowercase ASCII words joined by `-`,",
        "without parenthesised asides (`cpam-de-paris`, `cgss-de-la-reunion`). Every other value",
        "is as in the source; what is empty there (a caisse code, an address, a source) is empty",
        "here and must not be filled by guessing.",
    )
    lines += routing_section(build, caisses, arrondissement_names)
    lines += ["## Territories without a caisse", ""]
    lines += paragraph(
        "`caisses.csv` has no caisse for these territories, whose communes are in",
        "`communes.csv`: resolving their postal codes returns an error saying that the portal",
        "does not cover them.",
    )
    lines += bullets([f"{code} {departement_names.get(code, '')}" for code in uncovered])
    lines += paragraph(
        "Saint-Barthélemy and Saint-Martin were communes of Guadeloupe until 2007 and their",
        "postal codes (97133, 97150) look like Guadeloupe's, but `caisses.csv` does not say which",
        "caisse serves them today, so they are not routed to the CGSS de la Guadeloupe: a sourced",
        "row in `caisses.csv` must come first.",
    )
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--caisses",
        type=Path,
        help="shared caisses.csv to copy into caisses.csv with a key column (default: keep it)",
    )
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="build-communes-") as tmp:
        decoupage = npm_pack(DECOUPAGE, Path(tmp))
        codes_postaux_tgz = npm_pack(CODES_POSTAUX, Path(tmp))
        entries = read_package_json(decoupage, "package/data/communes.json")
        departements = read_package_json(decoupage, "package/data/departements.json")
        arrondissements = read_package_json(decoupage, "package/data/arrondissements.json")
        codes_postaux = read_package_json(codes_postaux_tgz, "package/codes-postaux.json")

    build = build_communes(entries, codes_postaux)
    check_communes(build)
    if args.caisses:
        copy_caisses(args.caisses, args.out / "caisses.csv")
    caisses = read_caisses(args.out / "caisses.csv")
    check_routing(build, caisses)
    write_communes(build.rows, args.out / "communes.csv")
    departement_names = {item["code"]: item["nom"] for item in departements}
    arrondissement_names = {item["code"]: item["nom"] for item in arrondissements}
    write_sources(args.out / "SOURCES.md", build, caisses, departement_names, arrondissement_names)

    size = (args.out / "communes.csv").stat().st_size
    print(
        f"communes.csv: {len(build.rows)} communes, {size / 1024:.0f} KiB; "
        f"{len(build.from_codes_postaux)} postal codes from codes-postaux only; "
        f"caisses.csv: {len(caisses)} caisses"
    )


if __name__ == "__main__":
    main()
