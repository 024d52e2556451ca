"""Every statement logsmith writes into a Go file builds there and passes `go vet`, checked with
the real Go toolchain and the real logging libraries (Debian's Go 1.19 and its packages of zap,
logrus, hclog and klog, in GOPATH mode): each case is a package that vets clean without logsmith,
marked `§` where a statement is asked for; each suggestion (with its setup edits) is written in,
and every package is vetted together. `go test` runs vet's printf check before any test, so a
format verb that does not fit its value breaks a build as surely as an unbound name."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

import logsmith
from logsmith.text_edits import apply_edits
from tests.languages.marked_cases import cursor, written

GOPATH_LIBRARIES = "/usr/share/gocode"

HELPERS = """
func do(name string) error { return nil }

func count(name string) (int, error) { return len(name), nil }
"""

CASES = {
    "a_parameter_named_log": """\
package a

func run(log string) error {
	if err := do(log); err != nil {
		§
		return err
	}
	return nil
}
""",
    "a_local_named_fmt": """\
package a

import "fmt"

func run(name string) error {
	fmt := 3
	if err := do(name); err != nil {
		§
		return err
	}
	fmt++
	return nil
}

var _ = fmt.Sprint
""",
    "the_standard_logger_under_an_alias": """\
package a

import stdlog "log"

func run(name string) error {
	if err := do(name); err != nil {
		§
		return err
	}
	stdlog.Println("ran", name)
	return nil
}
""",
    "logrus_imported_as_log": """\
package a

import log "github.com/sirupsen/logrus"

func run(name string) error {
	if err := do(name); err != nil {
		§
		return err
	}
	log.WithField("name", name).Info("ran")
	return nil
}
""",
    "a_zap_logger_of_the_receiver": """\
package a

import "go.uber.org/zap"

type Store struct {
	lg   *zap.Logger
	path string
}

func (s *Store) Open(name string) error {
	n, err := count(name)
	if err != nil {
		§
		return err
	}
	s.lg.Info("opened", zap.Int("n", n))
	return nil
}
""",
    "a_sugared_zap_logger": """\
package a

import "go.uber.org/zap"

var logger = zap.NewExample().Sugar()

func run(name string, retries int) error {
	if err := do(name); err != nil {
		§
		return err
	}
	logger.Infow("ran", "name", name, "retries", retries)
	return nil
}
""",
    "an_unnamed_receiver": """\
package a

import "go.uber.org/zap"

type Server struct {
	logger *zap.Logger
}

func (*Server) Run(name string) error {
	if err := do(name); err != nil {
		§
		return err
	}
	return nil
}

func (s *Server) Stop() { s.logger.Info("stopped") }
""",
    "a_receiver_named_underscore": """\
package a

import "go.uber.org/zap"

type Server struct {
	logger *zap.Logger
}

func (_ *Server) Run(name string) error {
	if err := do(name); err != nil {
		§
		return err
	}
	return nil
}

func (s *Server) Stop() { s.logger.Info("stopped") }
""",
    "a_closure_that_calls_itself": """\
package a

import "log"

func run(names []string) {
	var visit func(i int)
	visit = func(i int) {
		if i >= len(names) {
			§
			return
		}
		visit(i + 1)
	}
	visit(0)
	log.Println("visited", len(names))
}
""",
    "a_closure_assigned_where_it_is_declared": """\
package a

import "log"

func run(names []string) {
	check := func(name string) bool {
		if err := do(name); err != nil {
			§
			return false
		}
		return true
	}
	log.Println(check("x"))
}
""",
    "a_type_switch": """\
package a

import "log"

func describe(value interface{}) string {
	switch v := value.(type) {
	case int:
		return "int"
	case string, []byte:
		§
		return "text"
	default:
		log.Printf("unknown %v", v)
		return "?"
	}
}
""",
    "a_map_lookup_that_missed": """\
package a

import "log"

func find(items map[string]int, key string) int {
	if v, ok := items[key]; !ok {
		§
		return v
	}
	log.Println("found", key)
	return 0
}
""",
    "a_function_value_in_scope": """\
package a

import "log"

func retry(name string, attempt func(string) error, onDone func()) error {
	if err := attempt(name); err != nil {
		§
		return err
	}
	onDone()
	log.Println("done", name)
	return nil
}
""",
    "function_values_at_entry": """\
package a

import "log"

func register(name string, handler func(string) error, retries int) {
	§
	check := func() bool { return retries > 0 }
	log.Println("registered", name, check())
}
""",
    "a_local_function_value": """\
package a

import "log"

func serve(name string) error {
	var onDone func()
	cleanup := func() {}
	if err := do(name); err != nil {
		§
		return err
	}
	onDone = cleanup
	onDone()
	log.Println("served", name)
	return nil
}
""",
    "a_recover_in_a_deferred_function": """\
package a

import "log"

func run(name string) {
	defer func() {
		if r := recover(); r != nil {
			§
		}
	}()
	log.Println("running", name)
}
""",
    "after_an_if_whose_error_is_out_of_scope": """\
package a

import "log"

func run(name string) int {
	if err := do(name); err != nil {
		return 1
	}
	§
	total := 2
	log.Println(total)
	return total
}
""",
    "hclog_of_the_receiver": """\
package a

import "github.com/hashicorp/go-hclog"

type Agent struct {
	logger hclog.Logger
}

func (a *Agent) Join(addr string) error {
	if err := do(addr); err != nil {
		§
		return err
	}
	a.logger.Info("joined", "addr", addr)
	return nil
}
""",
    "klog": """\
package a

import "k8s.io/klog"

func sync(pod string) error {
	if err := do(pod); err != nil {
		§
		return err
	}
	klog.Infof("synced %s", pod)
	return nil
}
""",
    "a_generic_receiver": """\
package a

import "log"

type Stack[T any] struct {
	items []T
}

func (s *Stack[T]) Pop() (T, bool) {
	var zero T
	if len(s.items) == 0 {
		§
		return zero, false
	}
	log.Println("pop")
	item := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return item, true
}
""",
    "a_neighbour_with_a_number_verb": """\
package a

import "log"

func load(path string, limit int) error {
	if limit > 10 {
		log.Printf("limit %d too high for %s", limit, path)
	}
	if err := do(path); err != nil {
		§
		return err
	}
	return nil
}
""",
    "two_types_with_a_method_of_one_name": """\
package a

import "go.uber.org/zap"

type Server struct {
	logger *zap.Logger
}

type Client struct {
	conn string
}

func (s *Server) Close() error {
	if err := do("server"); err != nil {
		s.logger.Error("failed to close server", zap.Error(err))
		return err
	}
	return nil
}

func (s *Client) Close() error {
	if err := do(s.conn); err != nil {
		§
		return err
	}
	return nil
}
""",
    "a_local_logger_of_another_function": """\
package a

import "go.uber.org/zap"

func start(name string) {
	logger := zap.NewExample()
	logger.Info("starting", zap.String("name", name))
}

func stop(name string) {
	logger := name + "-stopper"
	if err := do(logger); err != nil {
		§
		return
	}
}
""",
    "an_init_function": """\
package a

import "log"

var ready bool

func init() {
	if err := do("config"); err != nil {
		§
		return
	}
	ready = true
	log.Println("ready", ready)
}
""",
}


def _vet_all(tmp_path, sources: dict[str, str], beside: dict[str, str] | None = None) -> str:
    """`go vet`'s findings (build errors included) over `sources` (package folder -> file), each
    built with the case's helpers and the files of `beside` (name -> text) in its package."""
    go = shutil.which("go")
    assert go, "the Go toolchain is needed: `make test` installs Debian's golang-go"
    root = tmp_path / "gopath"
    for folder, text in sources.items():
        package = root / "src" / "cases" / folder
        package.mkdir(parents=True, exist_ok=True)
        (package / "a.go").write_text(text)
        (package / "helpers.go").write_text("package a\n" + HELPERS)
        for name, other in (beside or {}).items():
            (package / name).write_text(other)
    environment = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": f"{root}:{GOPATH_LIBRARIES}",
        "GOFLAGS": "",
        "GOTOOLCHAIN": "local",
    }
    done = subprocess.run(
        [go, "vet", "cases/..."],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return "" if done.returncode == 0 else done.stdout + done.stderr


def test_the_cases_vet_clean_before_a_statement_is_written(tmp_path):
    assert _vet_all(tmp_path, {n: cursor(m)[0] for n, m in CASES.items()}) == ""


def test_every_template_statement_builds_and_vets_clean(tmp_path):
    files, statements = written(CASES, logsmith.Settings(use_model=False), tmp_path, "go", ".go")
    assert _vet_all(tmp_path, files) == "", statements


@pytest.mark.model
def test_every_statement_with_the_model_builds_and_vets_clean(model_settings, tmp_path):
    files, statements = written(CASES, model_settings, tmp_path, "go", ".go")
    assert _vet_all(tmp_path, files) == "", statements


SERVER = """\
package a

import "go.uber.org/zap"

type Server struct {
	logger *zap.Logger
}

func (s *Server) Start(name string) error {
	if err := do(name); err != nil {
		s.logger.Error("failed to start", zap.String("name", name), zap.Error(err))
		return err
	}
	s.logger.Info("started", zap.String("name", name))
	return nil
}
"""

HANDLERS = {
    "a_method_of_a_type_another_file_declares": """\
package a

func (s *Server) Handle(path string) error {
	if path == "" {
		§
		return nil
	}
	return nil
}
""",
    "a_function_of_a_package_that_logs_with_zap": """\
package a

func clean(path string, limit int) {
	if limit > 3 {
		§
	}
}
""",
}


def test_a_statement_in_a_file_of_a_package_whose_logger_another_file_declares(tmp_path):
    """The project's zap logger, in a file that does not import zap: the import comes with the
    statement exactly when the statement names the package."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "go.mod").write_text("module example.com/a\n\ngo 1.19\n")
    (project / "server.go").write_text(SERVER)
    settings = logsmith.Settings(use_model=False)
    files, statements = written(HANDLERS, settings, project, "go", ".go")
    assert any("zap." in statement for statement in statements.values()), statements
    assert _vet_all(tmp_path, files, {"server.go": SERVER}) == "", statements


TYPED = {
    'log.Fatalf("': 'log.Fatalf("',
    "log.Fatal(": 'log.Fatal("',
    "log.Fatalln(": 'log.Fatalln("',
    'log.Panicf("': 'log.Panicf("',
    "log.Print(": 'log.Print("',
}


def test_the_method_the_user_typed_is_kept_and_vets_clean(tmp_path):
    """`log.Fatal(` typed stays `log.Fatal(` (the user chose to exit), written with the arguments
    that method takes; only a method the user typed may end the program."""
    files, statements = {}, {}
    for number, (typed, expected) in enumerate(TYPED.items()):
        source = (
            'package a\n\nimport "log"\n\nfunc load(name string) (int, error) {\n'
            f"\tn, err := count(name)\n\tif err != nil {{\n\t\t{typed}\n\t}}\n\treturn n, nil\n}}\n"
        )
        settings = logsmith.Settings(use_model=False)
        suggestions = logsmith.suggest(source, 7, 2 + len(typed), settings=settings, language="go")
        assert suggestions, typed
        assert suggestions[0].statement.startswith(expected), suggestions[0].statement
        folder = f"typed_{number}"
        edits = [suggestions[0].edit, *suggestions[0].additional_edits]
        files[folder] = apply_edits(source, edits)
        statements[folder] = suggestions[0].statement
    assert _vet_all(tmp_path, files) == "", statements
