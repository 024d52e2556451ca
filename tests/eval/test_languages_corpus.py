"""eval.corpus.foreign_sources (pinned sources, unpacking once) and eval.corpus.build_languages
(which statements become cases, masking round trips, the committed corpus), on small fixtures:
no network, no model, and a stand-in reader so the tests do not hang on a language's reader."""

from __future__ import annotations

import io
import re
import tarfile
import textwrap
import zipfile
from collections import Counter

import pytest

from eval.corpus import build_languages as corpus
from eval.corpus import foreign_sources, sources
from logsmith.idioms.contract import LoggedCall

GO_FILE = textwrap.dedent("""\
    package server

    import "log"

    func (s *Server) Start(port int) error {
    \tlog.Printf("starting on %d", port)
    \tif err := s.listen(port); err != nil {
    \t\tlog.Printf("cannot listen: %v", err) // a trailing comment is fine
    \t\treturn err
    \t}
    \tx := 1; log.Printf("not alone %d", x)
    \tlog.Printf("spans %d",
    \t\tport)
    \treturn nil
    }
""")
_CALL = re.compile(r"log\.Printf\(\"([^\"]*)\"(?:,\s*([^)]*))?\)", re.S)


class StandInReader:
    """A reader for the fixture above: every `log.Printf(...)`, the first one outside a
    function (as a reader reports a package-level statement)."""

    def __init__(self, outside_function: int = -1):
        self.outside_function = outside_function

    def logged_calls(self, document):
        text = document.text
        found = []
        for number, match in enumerate(_CALL.finditer(text)):
            start = text.count("\n", 0, match.start())
            end = text.count("\n", 0, match.end())
            values = tuple(v.strip() for v in (match[2] or "").split(",") if v.strip())
            found.append(
                LoggedCall(
                    start,
                    end,
                    match[0],
                    "log",
                    "log",
                    None,
                    re.sub(r"%\w", "", match[1]).strip(),
                    values,
                    None,
                    None if number == self.outside_function else "Start",
                    "other",
                )
            )
        return tuple(found)


def test_a_pinned_source_names_its_registry_package_and_version():
    debian = foreign_sources.PackageSource.parse("debian:golang-etcd-server-dev=3.4.23-4")
    assert (debian.registry, debian.name, debian.version) == (
        "debian",
        "golang-etcd-server-dev",
        "3.4.23-4",
    )
    scoped = foreign_sources.PackageSource.parse("npm:@node-red/runtime@5.0.7")
    assert (scoped.name, scoped.version) == ("@node-red/runtime", "5.0.7")
    assert scoped.slug == "npm-node-red-runtime-5.0.7"
    tilde = foreign_sources.PackageSource.parse("debian:x-dev=1.6.20~ds1-1+deb12u3")
    assert "~" not in tilde.slug and tilde.slug.endswith("1.6.20-ds1-1+deb12u3")
    for bad in ("pip:requests==2", "npm:left-pad", "debian:name"):
        with pytest.raises(sources.SourceError):
            foreign_sources.PackageSource.parse(bad)


def _tgz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as bundle:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_a_cached_archive_is_unpacked_once_and_its_included_files_listed(tmp_path):
    package = foreign_sources.PackageSource.parse("npm:demo@1.0.0")
    archives = tmp_path / "archives" / "npm"
    archives.mkdir(parents=True)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as bundle:
        bundle.writestr("mod/A.java", "class A {}")
    (archives / f"{package.slug}.tgz").write_bytes(
        _tgz(
            {
                "package/lib/a.js": b"console.log('a')\n",
                "package/lib/types.d.ts": b"export {}\n",
                "package/test/a.test.js": b"\n",
                "package/src.zip": inner.getvalue(),
            }
        )
    )
    archive = foreign_sources.fetch_archive(package, tmp_path)  # found in the cache: no npm
    tree = foreign_sources.unpack(archive, package, "package/src.zip", tmp_path)
    assert (tree / "package" / "src" / "mod" / "A.java").read_text() == "class A {}"
    (tree / "package" / "lib" / "link.js").symlink_to(tree / "package" / "lib" / "a.js")
    assert foreign_sources.source_files(tree, ("package/lib",), (".js", ".ts")) == [
        "package/lib/a.js",
        "package/lib/types.d.ts",
    ]
    (tree / "package" / "lib" / "a.js").write_text("changed")
    assert foreign_sources.unpack(archive, package, "package/src.zip", tmp_path) == tree
    assert (tree / "package" / "lib" / "a.js").read_text() == "changed"  # not unpacked again
    with pytest.raises(sources.SourceError):
        foreign_sources.source_files(tree, ("package/missing",), (".js",))


@pytest.mark.parametrize(
    "file, production",
    [
        ("pkg/server/server.go", True),
        ("pkg/server/server_test.go", False),
        ("api/v1/api.pb.go", False),
        ("pkg/testutil/helpers.go", False),
        ("vendor/github.com/x/y.go", False),
        ("framework/src/org/apache/cordova/CordovaWebView.java", True),
        ("src/test/java/org/x/FooTest.java", False),
        ("lib/FooTests.java", False),
        ("package/lib/server.js", True),
        ("package/lib/server.test.js", False),
        ("package/src/__tests__/client.ts", False),
        ("package/src/index.d.ts", False),
        ("package/dist/bundle.min.js", False),
    ],
)
def test_production_files_leave_out_tests_vendored_and_generated_code(file, production):
    assert corpus.is_production_file(file) is production


def test_a_generated_header_leaves_a_file_out():
    assert not corpus.is_production_file(
        "x/types.go", "// Code generated by protoc-gen-go. DO NOT EDIT.\n"
    )
    assert corpus.is_production_file("x/types.go", "// Package types holds types.\n")


def test_a_javascript_project_reads_its_typescript_files_as_typescript():
    assert corpus.file_language("javascript", "src/a.ts") == "typescript"
    assert corpus.file_language("javascript", "src/a.tsx") == "tsx"
    assert corpus.file_language("javascript", "lib/a.js") == "javascript"
    assert corpus.file_language("go", "a.go") == "go"


def test_cases_are_the_statements_alone_on_their_lines_inside_a_function():
    cases = corpus.collect_cases(GO_FILE, "go", "demo", "1.0", "server.go", StandInReader())
    assert [case.statement for case in cases] == [
        'log.Printf("starting on %d", port)',
        'log.Printf("cannot listen: %v", err)',
        'log.Printf("spans %d",\n\t\tport)',
    ]
    first, second, third = cases
    assert (first.line, first.column, first.end_line, first.end_column) == (5, 1, 5, 35)
    assert second.values == ("err",) and second.message == "cannot listen:"
    assert (third.line, third.end_line, third.end_column) == (11, 12, 7)
    assert all(case.language == "go" and case.library == "log" for case in cases)
    outside = corpus.collect_cases(GO_FILE, "go", "demo", "1.0", "server.go", StandInReader(0))
    assert [case.line for case in outside] == [7, 11]


def test_masking_leaves_an_indented_blank_line_and_the_statement_goes_back_in():
    cases = corpus.collect_cases(GO_FILE, "go", "demo", "1.0", "server.go", StandInReader())
    for case in cases:
        masked = corpus.mask(GO_FILE, case)
        assert masked.source.split("\n")[masked.line] == "\t" * masked.character
        lines = masked.source.split("\n")
        lines[masked.line] += case.statement
        restored = "\n".join(lines)
        original = GO_FILE.split("\n")
        original[case.end_line] = original[case.end_line][: case.end_column]
        assert (
            restored.split("\n")[case.line : case.end_line + 1]
            == original[case.line : case.end_line + 1]
        )


def test_a_case_survives_a_round_trip_through_json():
    case = corpus.collect_cases(GO_FILE, "go", "demo", "1.0", "server.go", StandInReader())[1]
    import json

    assert corpus.LanguageCase.from_dict(json.loads(case.to_json())) == case


def test_the_pinned_projects_give_every_language_two_dev_and_two_heldout_projects():
    projects = corpus.load_projects()
    splits = Counter((spec.language, spec.split) for spec in projects)
    for language in corpus.LANGUAGES:
        assert splits[(language, "dev")] >= 2 and splits[(language, "heldout")] >= 2, language
    assert all(spec.include and spec.licence for spec in projects)


def test_the_committed_cases_belong_to_pinned_projects_and_are_capped():
    projects = {spec.name: spec for spec in corpus.load_projects()}
    cases = corpus.load_cases()
    assert cases
    assert len({case.id for case in cases}) == len(cases)
    per_project = Counter(case.project for case in cases)
    assert max(per_project.values()) <= corpus.corpus.DEFAULT_CAP
    for case in cases:
        spec = projects[case.project]
        assert case.version == spec.version
        assert case.language == corpus.file_language(spec.language, case.file)
        assert case.file.startswith(spec.include) and corpus.is_production_file(case.file)
        assert case.function and case.statement.strip()
        assert case.end_line - case.line == case.statement.count("\n")
