"""Go: the site at a cursor, the log statements of each library, the statements rendered for each
library and level (and that they parse in place), the names a statement reads, the logger choice
and its import, batch mode's sites, and files that must not break the reader."""

from __future__ import annotations

import pytest

import logsmith

from logsmith.idioms import go as idioms
from logsmith.idioms.contract import LEVELS, LoggedCall, LoggerChoice, StatementSpec
from logsmith.idioms.registry import idioms_for, reader_for
from logsmith.syntax import go as reader
from logsmith.syntax.document import ParsedDocument

SERVER = """\
package server

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"
)

var defaultTimeout = 5 * time.Second

type Server struct {
	lg   *zap.Logger
	addr string
}

func (s *Server) Connect(ctx context.Context, host string) (conn *Conn, err error) {

	conn, err = dial(ctx, host)
	if err != nil {

		return nil, fmt.Errorf("dial %s: %w", host, err)
	}
	for i, peer := range s.peers {

		if peer == nil {
			continue

		}
	}
	if n := len(host); n > 3 {

	}
	go func() {

		panic("boom")
	}()
	return conn, nil
}
"""


def line_of(text: str, fragment: str, after: int = 0) -> int:
    """0-based number of the first line at or after `after` containing `fragment`."""
    lines = text.split("\n")
    return next(n for n in range(after, len(lines)) if fragment in lines[n])


def go(text: str) -> ParsedDocument:
    return ParsedDocument(text, "go")


def site_on_blank_after(text: str, fragment: str):
    number = line_of(text, fragment) + 1
    assert not text.split("\n")[number].strip()
    return reader.site_at(go(text), number, 0)


# --- sites ------------------------------------------------------------------------------------


def test_registry_finds_the_go_modules():
    assert reader_for("go") is reader
    assert idioms_for("go") is idioms


def test_site_at_function_entry_has_receiver_parameters_and_named_results():
    site = site_on_blank_after(SERVER, "func (s *Server) Connect")
    assert site.kind == "entry"
    assert site.function.name == "Connect"
    assert site.function.class_name == "Server"
    assert site.function.parameters == ("s", "ctx", "host", "conn", "err")
    assert set(site.names) == {"s", "ctx", "host", "conn", "err"}
    assert site.indent == "\t"
    assert site.reachable


def test_site_in_if_err_block_is_an_except_before_return():
    site = site_on_blank_after(SERVER, "if err != nil {")
    assert site.kind == "except"
    assert site.in_except
    assert site.exception_name == "err"
    assert site.before == "return"
    assert site.indent == "\t\t"
    assert site.next_statement.startswith("return nil, fmt.Errorf")
    assert site.return_value == 'nil, fmt.Errorf("dial %s: %w", host, err)'
    assert site.reraises and site.recovers is None


def test_error_block_endings():
    text = """\
package p

func f(items []string) {
	for _, it := range items {
		if err := use(it); err != nil {

			continue
		}
		v, err := parse(it)
		if err != nil {

			v = fallback
		}
	}
}
"""
    skipping = site_on_blank_after(text, "if err := use(it)")
    assert (skipping.kind, skipping.reraises, skipping.recovers) == ("except", False, "continue")
    falling_back = site_on_blank_after(text, "\t\tif err != nil {")
    assert (falling_back.recovers, falling_back.loop_variables) == ("value", ("it",))


def test_cursor_at_the_end_of_a_block_opening_line_takes_the_blocks_indent():
    document = go(SERVER)
    number = line_of(SERVER, "if err != nil {")
    site = reader.site_at(document, number, len(document.line(number)))
    assert (site.kind, site.indent) == ("except", "\t\t")


def test_site_in_range_loop_has_loop_variables_nearest_first():
    site = site_on_blank_after(SERVER, "for i, peer := range s.peers")
    assert site.kind == "loop"
    assert site.loop_variables == ("i", "peer")
    assert site.names[:2] == ("peer", "i")
    assert "s" in site.names


def test_site_after_continue_is_unreachable():
    site = site_on_blank_after(SERVER, "continue")
    assert not site.reachable
    assert site.indent == "\t\t\t"


def test_if_initializer_is_bound_in_its_block_only():
    inside = site_on_blank_after(SERVER, "if n := len(host)")
    assert inside.names[0] == "n"
    after = reader.site_at(go(SERVER), line_of(SERVER, "go func()"), 0)
    assert "n" not in after.names
    assert "i" not in after.names and "peer" not in after.names


def test_goroutine_literal_has_its_own_entry_before_panic():
    site = site_on_blank_after(SERVER, "go func() {")
    assert site.kind == "entry"
    assert site.before == "raise"
    assert site.function.is_async
    assert site.function.name == "Connect"
    assert "host" in site.names  # a closure reads its function's names


def test_site_before_return_and_panic():
    text = """\
package p

func f(x int) int {
	y := x * 2
	if y > 10 {
		y = 10

		panic("too big")
	}

	return y
}
"""
    before_panic = site_on_blank_after(text, "y = 10")
    assert before_panic.kind == "raise" and before_panic.before == "raise"
    before_return = site_on_blank_after(text, "\t}")
    assert before_return.kind == "return" and before_return.before == "return"
    assert before_return.names == ("y", "x")


def test_module_names_are_package_level_names_and_imports():
    site = site_on_blank_after(SERVER, "if err != nil {")
    assert {"Server", "defaultTimeout", "context", "fmt", "time", "zap"} <= site.module_names


def test_imported_package_names_follow_aliases_and_versions():
    text = """\
package p

import (
	lg "go.uber.org/zap"
	"k8s.io/klog/v2"
	hclog "github.com/hashicorp/go-hclog"
	_ "embed"
)
"""
    assert {"lg", "klog", "hclog"} <= reader.module_names(go(text))
    assert "embed" not in reader.module_names(go(text))


def test_typed_text_is_read_on_a_line_that_does_not_parse():
    document = go(SERVER)
    number = line_of(SERVER, "if err != nil {") + 1
    typing = document.with_line(number, '\t\tlog.Printf("fail')
    site = reader.site_at(typing, number, len(typing.line(number)))
    assert site.typed.logger == "log"
    assert site.typed.level_prefix == "Printf"
    assert site.typed.quote == '"'
    assert site.typed.message == "fail"
    assert site.kind == "except"
    assert "err" in site.names


def test_site_in_if_err_with_initializer_binds_the_error():
    text = """\
package p

func f() error {
	if err := run(); err != nil {

		return err
	}
	return nil
}
"""
    site = site_on_blank_after(text, "if err := run()")
    assert site.kind == "except"
    assert site.exception_name == "err"
    assert site.names[0] == "err"


# --- log statements ---------------------------------------------------------------------------


def calls_of(text: str) -> list[LoggedCall]:
    return list(reader.logged_calls(go(text)))


def test_standard_log_calls():
    text = """\
package main

import "log"

func main() {
	cfg, err := load()
	if err != nil {
		log.Fatalf("cannot load config %s: %v", path, err)
	}
	log.Printf("listening on %d", cfg.Port)
	log.Println("ready", cfg.Name)
	log.Panicf("unreachable")
}
"""
    fatal, printf, println, panic = calls_of(text)
    assert (fatal.library, fatal.logger, fatal.level) == ("log", "log", "critical")
    assert fatal.message == "cannot load config:"
    assert fatal.values == ("path", "err") and fatal.error == "err"
    assert fatal.site_kind == "except" and fatal.function == "main"
    assert (printf.level, printf.message, printf.values) == ("info", "listening on", ("cfg.Port",))
    assert (println.level, println.message, println.values) == ("info", "ready", ("cfg.Name",))
    assert panic.level == "critical"


def test_slog_calls():
    text = """\
package api

import (
	"context"
	"log/slog"
)

func (h *Handler) Serve(ctx context.Context, req *Request) {
	slog.Info("serving request", "method", req.Method, "path", req.URL.Path)
	logger := slog.Default()
	if err := h.do(req); err != nil {
		logger.Error("request failed", "error", err, slog.Any("user", req.User))
	}
	slog.Default().Warn("slow request")
	slog.DebugContext(ctx, "done", "status", 200)
}
"""
    info, error, warn, debug = calls_of(text)
    assert (info.library, info.logger, info.level) == ("slog", "slog", "info")
    assert info.values == ("req.Method", "req.URL.Path")
    assert info.site_kind == "entry"
    assert (error.library, error.logger, error.level) == ("slog", "logger", "error")
    assert error.values == ("err", "req.User") and error.error == "err"
    assert error.site_kind == "except"
    assert (warn.logger, warn.level, warn.message) == ("slog.Default()", "warning", "slow request")
    assert (debug.level, debug.message, debug.values) == ("debug", "done", ("200",))


def test_zap_calls():
    text = """\
package etcd

import "go.uber.org/zap"

func (s *Server) apply(lg *zap.Logger, index uint64) {
	if err := s.be.Commit(); err != nil {
		lg.Panic("failed to commit", zap.Uint64("index", index), zap.Error(err))
	}
	zap.L().Info("applied", zap.String("member", s.ID()))
	s.lg.Warn(
		"slow apply",
		zap.Duration("took", took),
	)
	s.lg.DPanic("bad state")
}
"""
    panic, info, warn, dpanic = calls_of(text)
    assert (panic.library, panic.logger, panic.level) == ("zap", "lg", "critical")
    assert panic.values == ("index", "err") and panic.error == "err"
    assert panic.message == "failed to commit"
    assert (info.logger, info.level, info.values) == ("zap.L()", "info", ("s.ID()",))
    assert (warn.logger, warn.level, warn.values) == ("s.lg", "warning", ("took",))
    assert (warn.start_line, warn.end_line) == (9, 12)
    assert dpanic.level == "critical"


def test_sugared_zap_calls():
    text = """\
package p

import "go.uber.org/zap"

func run(sugar *zap.SugaredLogger, name string, err error) {
	sugar.Infow("started", "name", name, "attempt", 3)
	sugar.Errorw("failed", "error", err)
	sugar.Warnf("retrying %s in %v", name, delay)
	zap.S().Debug("tick")
}
"""
    infow, errorw, warnf, debug = calls_of(text)
    assert all(call.library == "zap-sugar" for call in (infow, errorw, warnf, debug))
    assert (infow.level, infow.values) == ("info", ("name", "3"))
    assert (errorw.level, errorw.error) == ("error", "err")
    assert (warnf.level, warnf.message, warnf.values) == (
        "warning",
        "retrying in",
        ("name", "delay"),
    )
    assert (debug.logger, debug.level) == ("zap.S()", "debug")


def test_logrus_calls_as_containerd_and_plain_logrus_write_them():
    text = """\
package shim

import (
	"github.com/containerd/containerd/log"
	"github.com/sirupsen/logrus"
)

func (s *Service) Delete(ctx context.Context, id string) error {
	if err := s.cleanup(id); err != nil {
		log.G(ctx).WithError(err).Warnf("failed to clean up %s", id)
		return err
	}
	logrus.WithFields(logrus.Fields{"id": id, "pid": s.pid}).Info("deleted")
	logrus.Errorf("shim exited: %v", status)
	logrus.WithError(err).Fatal("cannot go on")
	return nil
}
"""
    warn, info, errorf, fatal = calls_of(text)
    assert (warn.library, warn.logger, warn.level) == ("logrus", "log.G(ctx)", "warning")
    assert warn.values == ("err", "id") and warn.error == "err"
    assert warn.message == "failed to clean up" and warn.site_kind == "except"
    assert (info.logger, info.level, info.values) == ("logrus", "info", ("id", "s.pid"))
    assert (errorf.level, errorf.message, errorf.values) == ("error", "shim exited:", ("status",))
    assert (fatal.level, fatal.error) == ("critical", "err")


def test_logrus_imported_as_log():
    text = """\
package p

import log "github.com/sirupsen/logrus"

func f() {
	log.WithFields(log.Fields{"k": v}).Warn("careful")
}
"""
    (warn,) = calls_of(text)
    assert (warn.library, warn.logger, warn.level, warn.values) == (
        "logrus",
        "log",
        "warning",
        ("v",),
    )


def test_hclog_calls_on_a_struct_field():
    text = """\
package raft

import hclog "github.com/hashicorp/go-hclog"

type Raft struct{ logger hclog.Logger }

func (r *Raft) restore(snapshot *Meta) error {
	if err := r.fsm.Restore(snapshot); err != nil {
		r.logger.Error("failed to restore snapshot", "id", snapshot.ID, "error", err)
		return err
	}
	r.logger.Info("restored from snapshot", "id", snapshot.ID)
	r.logger.Trace("done")
	return nil
}
"""
    error, info, trace = calls_of(text)
    assert (error.library, error.logger, error.level) == ("hclog", "r.logger", "error")
    assert error.values == ("snapshot.ID", "err") and error.error == "err"
    assert (info.level, info.values) == ("info", ("snapshot.ID",))
    assert trace.level == "trace"


def test_klog_calls():
    text = """\
package kubelet

import "k8s.io/klog/v2"

func sync(pod *Pod) {
	klog.V(2).Infof("syncing pod %s", pod.Name)
	klog.Errorf("sync failed: %v", err)
	klog.ErrorS(err, "sync failed", "pod", pod.Name)
	klog.Warning("slow")
}
"""
    verbose, errorf, errors, warning = calls_of(text)
    assert all(call.library == "klog" for call in (verbose, errorf, errors, warning))
    assert (verbose.level, verbose.message, verbose.values) == (
        "debug",
        "syncing pod",
        ("pod.Name",),
    )
    assert errorf.level == "error"
    assert (errors.error, errors.values, errors.message) == (
        "err",
        ("err", "pod.Name"),
        "sync failed",
    )
    assert warning.level == "warning"


def test_calls_that_are_not_logs_are_left_out():
    text = """\
package p

import (
	"errors"
	"fmt"
	"go.uber.org/zap"
)

func f(t *testing.T) {
	fmt.Printf("%d\\n", 3)
	t.Errorf("want %d", 3)
	fields := []zap.Field{zap.Error(err)}
	errors.New("x").Error()
}
"""
    assert calls_of(text) == []


# --- rendering --------------------------------------------------------------------------------

LIBRARIES = (
    ("log", "log"),
    ("slog", "slog"),
    ("hclog", "s.logger"),
    ("zap", "s.lg"),
    ("zap-sugar", "sugar"),
    ("logrus", "log.G(ctx)"),
    ("klog", "klog"),
)


def spec(library: str, expression: str, level: str = "error", values=("host",), error="err"):
    return StatementSpec(
        LoggerChoice(library, expression, True), level, "Failed to connect", values, error
    )


def test_render_in_each_library_style():
    rendered = {
        library: idioms.render(spec(library, expression)) for library, expression in LIBRARIES
    }
    assert rendered["log"] == 'log.Printf("failed to connect %v: %v", host, err)'
    assert rendered["slog"] == 'slog.Error("failed to connect", "host", host, "error", err)'
    assert rendered["hclog"] == 's.logger.Error("failed to connect", "host", host, "error", err)'
    assert (
        rendered["zap"] == 's.lg.Error("failed to connect", zap.Any("host", host), zap.Error(err))'
    )
    assert rendered["zap-sugar"] == 'sugar.Errorw("failed to connect", "host", host, "error", err)'
    assert rendered["logrus"] == (
        'log.G(ctx).WithError(err).WithField("host", host).Error("failed to connect")'
    )
    assert rendered["klog"] == 'klog.ErrorS(err, "failed to connect", "host", host)'
    assert not any(text.endswith(";") for text in rendered.values())


def test_a_percent_in_a_printf_message_is_escaped():
    written = StatementSpec(LoggerChoice("log", "log", True), "info", "at 100% load", ("n",))
    assert idioms.render(written) == 'log.Printf("at 100%% load %v", n)'


def test_keys_are_the_values_last_words():
    assert idioms.key_of("req.URL") == "url"
    assert idioms.key_of("user.ID()") == "id"
    assert idioms.key_of("requestID") == "request_id"
    assert idioms.key_of("err") == "error"


def test_levels_map_to_each_library_method():
    assert idioms.render(spec("zap", "lg", "warning", (), None)) == 'lg.Warn("failed to connect")'
    assert (
        idioms.render(spec("slog", "slog", "debug", (), None)) == 'slog.Debug("failed to connect")'
    )
    assert idioms.render(spec("hclog", "l", "trace", (), None)) == 'l.Trace("failed to connect")'
    assert idioms.render(spec("log", "log", "info", (), None)) == 'log.Println("failed to connect")'
    assert idioms.render(spec("logrus", "logrus", "warning", (), None)) == (
        'logrus.Warn("failed to connect")'
    )


@pytest.mark.parametrize("library, expression", LIBRARIES)
@pytest.mark.parametrize("level", LEVELS)
def test_rendered_statements_parse_in_place(library, expression, level):
    document = go(SERVER)
    number = line_of(SERVER, "if err != nil {") + 1
    statement = idioms.render(spec(library, expression, level, ("host", "req.URL"), "err"))
    assert reader.statement_problems(document, number, statement) == []
    placed = document.with_line(number, "\t\t" + statement)
    assert not placed.tree.root_node.has_error
    assert reader.names_read(statement) - {"req"} <= set(
        reader.site_at(document, number, 0).names
    ) | idioms.always_bound(document) | {"sugar", "log", "klog", "slog"}


@pytest.mark.parametrize("library, expression", LIBRARIES)
def test_opening_is_the_rendered_text_up_to_the_message_quote(library, expression):
    written = spec(library, expression)
    start, close = idioms.opening(written)
    rendered = idioms.render(written)
    assert close == '"'
    assert start.endswith('"')
    assert rendered.startswith(start)
    assert rendered[len(start) :].startswith("failed to connect")


def test_statement_problems_reports_a_broken_statement():
    document = go(SERVER)
    number = line_of(SERVER, "if err != nil {") + 1
    assert reader.statement_problems(document, number, 'log.Printf("x %v", err') != []
    assert reader.statement_problems(document, number, 'log.Printf("x %v", err)') == []


# --- names read -------------------------------------------------------------------------------


def test_names_read_are_root_identifiers():
    assert reader.names_read(
        's.lg.Error("failed", zap.Error(err), zap.String("host", req.Host))'
    ) == {"s", "zap", "err", "req"}
    assert reader.names_read('slog.Info("x", "key", value)') == {"slog", "value"}
    assert reader.names_read('log.G(ctx).WithError(err).Warn("x")') == {"log", "ctx", "err"}
    assert reader.names_read('logrus.WithFields(logrus.Fields{"id": id}).Info("x")') == {
        "logrus",
        "id",
    }
    assert reader.names_read('log.Printf("%v", Config{Name: name})') == {"log", "Config", "name"}
    assert reader.names_read('log.Println("x"') >= {"log"}  # best effort on broken text


# --- logger choice ----------------------------------------------------------------------------


def apply(text: str, choice: LoggerChoice) -> str:
    lines = text.split("\n")
    for edit in sorted(choice.setup, key=lambda e: (e.start_line, e.start_character), reverse=True):
        assert edit.start_line == edit.end_line
        line = lines[edit.start_line] if edit.start_line < len(lines) else ""
        new = line[: edit.start_character] + edit.new_text + line[edit.end_character :]
        lines[edit.start_line : edit.start_line + 1] = new.split("\n")
    return "\n".join(lines)


def test_logger_for_uses_the_files_logger_nearest_the_site():
    text = """\
package raft

import hclog "github.com/hashicorp/go-hclog"

func (r *Raft) a() {
	r.logger.Info("a")
}

func (r *Raft) b() error {
	err := r.run()
	if err != nil {

		return err
	}
	return nil
}
"""
    document = go(text)
    site = site_on_blank_after(text, "if err != nil {")
    choice = idioms.logger_for(document, site, reader.logged_calls(document))
    assert (choice.library, choice.expression, choice.defined) == ("hclog", "r.logger", True)
    assert choice.setup == ()


def test_logger_for_takes_a_logger_field_of_the_receiver():
    document = go(SERVER)
    site = site_on_blank_after(SERVER, "if err != nil {")
    choice = idioms.logger_for(document, site, reader.logged_calls(document))
    assert (choice.library, choice.expression, choice.defined) == ("zap", "s.lg", True)


def test_logger_for_containerd_without_a_context_uses_the_package_entry():
    text = """\
package p

import "github.com/containerd/containerd/log"

func a(ctx context.Context) { log.G(ctx).Info("a") }

func b() {

}
"""
    document = go(text)
    site = site_on_blank_after(text, "func b() {")
    choice = idioms.logger_for(document, site, reader.logged_calls(document))
    assert (choice.library, choice.expression) == ("logrus", "log.L")


def test_logger_for_without_a_logger_adds_the_log_import_into_the_block():
    text = """\
package p

import (
	"fmt"
)

func f() error {
	err := g()
	if err != nil {

		return fmt.Errorf("g: %w", err)
	}
	return nil
}
"""
    document = go(text)
    site = site_on_blank_after(text, "if err != nil {")
    choice = idioms.logger_for(document, site, ())
    assert (choice.library, choice.expression, choice.defined) == ("log", "log", False)
    assert choice.note == idioms.STANDARD_NOTE
    changed = apply(text, choice)
    assert '\t"log"' in changed
    assert not go(changed).tree.root_node.has_error


def test_logger_for_without_imports_adds_an_import_line_after_the_package_clause():
    text = "package p\n\nfunc f() {\n\n}\n"
    document = go(text)
    choice = idioms.logger_for(document, reader.site_at(document, 3, 0), ())
    changed = apply(text, choice)
    assert 'import "log"' in changed
    assert not go(changed).tree.root_node.has_error


def test_logger_for_prefers_slog_when_the_file_imports_it():
    text = 'package p\n\nimport "log/slog"\n\nfunc f() {\n\n}\n'
    document = go(text)
    choice = idioms.logger_for(document, reader.site_at(document, 5, 0), ())
    assert (choice.library, choice.expression, choice.defined, choice.setup) == (
        "slog",
        "slog",
        True,
        (),
    )


def test_logger_for_imports_the_standard_log_under_an_alias_when_log_is_taken():
    text = 'package p\n\nimport log "example.com/audit"\n\nfunc f() {\n\n}\n'
    document = go(text)
    choice = idioms.logger_for(document, reader.site_at(document, 5, 0), ())
    assert choice.expression == "stdlog"
    changed = apply(text, choice)
    assert 'import stdlog "log"' in changed
    assert not go(changed).tree.root_node.has_error


def test_logger_for_uses_an_imported_librarys_package_logger():
    containerd = 'package p\n\nimport "github.com/containerd/containerd/log"\n\nfunc f() {\n\n}\n'
    zap = 'package p\n\nimport "go.uber.org/zap"\n\nfunc f() {\n\n}\n'
    chosen = []
    for text in (containerd, zap):
        document = go(text)
        choice = idioms.logger_for(document, reader.site_at(document, 5, 0), ())
        chosen.append((choice.library, choice.expression, choice.defined, choice.setup))
    assert chosen == [("logrus", "log.L", True, ()), ("zap", "zap.L()", True, ())]


def test_a_zap_logger_brings_the_zap_import_its_fields_need():
    text = """\
package raft

func (r *Raft) a() {
	r.lg.Info("a")
}

func (r *Raft) b() {

}
"""
    document = go(text)
    calls = (
        LoggedCall(
            3, 3, 'r.lg.Info("a")', "zap", "r.lg", "info", "a", (), None, "a", "entry", "Raft"
        ),
    )
    choice = idioms.logger_for(document, site_on_blank_after(text, "func (r *Raft) b()"), calls)
    assert (choice.library, choice.expression, choice.defined) == ("zap", "r.lg", True)
    changed = apply(text, choice)
    assert 'import "go.uber.org/zap"' in changed
    assert not go(changed).tree.root_node.has_error


def test_logger_for_follows_the_projects_habit():
    habit = LoggedCall(
        3, 3, 'zap.L().Info("x")', "zap", "zap.L()", "info", "x", (), None, "f", "other"
    )
    text = "package p\n\nfunc f() {\n\n}\n"
    document = go(text)
    choice = idioms.logger_for(document, reader.site_at(document, 3, 0), (), (habit,))
    assert (choice.library, choice.expression, choice.defined) == ("zap", "zap.L()", False)
    changed = apply(text, choice)
    assert 'import "go.uber.org/zap"' in changed
    assert not go(changed).tree.root_node.has_error


def test_always_bound_holds_imports_package_names_and_predeclared_only():
    bound = idioms.always_bound(go(SERVER))
    assert {"zap", "fmt", "Server", "defaultTimeout", "nil", "len", "error"} <= bound
    assert "ctx" not in bound and "err" not in bound and "host" not in bound


# --- batch mode -------------------------------------------------------------------------------

BATCH = """\
package store

func (s *Store) Open(path string) (*DB, error) {
	db, err := bolt.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	for _, b := range buckets {
		if err := db.Create(b); err != nil {
			continue
		}
	}
	for attempt := 0; attempt < 3; attempt++ {
		if err = db.Ping(); err != nil {
			time.Sleep(time.Second)
			continue
		}
		break
	}
	if err := db.Sync(); err != nil {
		s.lg.Warn("sync failed", zap.Error(err))
		return nil, err
	}
	if err := db.Check(); err != nil {
		return nil, err // logsmith: ignore
	}
	if err != nil { return nil, err }
	return db, nil
}
"""


def test_find_sites_flags_error_blocks_that_do_not_log():
    findings = reader.find_sites(go(BATCH))
    found = {(f.rule, f.line) for f in findings}
    # an error handed back to the caller, wrapped or not, is Go's idiom: not flagged
    assert found == {
        ("except_swallowed", line_of(BATCH, "\t\t\tcontinue")),
        ("retry_loop", line_of(BATCH, "time.Sleep")),
    }
    first = findings[0]
    assert first.indent == "\t\t\t" and first.function == "Open"


def test_an_error_returned_from_main_leaves_the_program_and_is_flagged():
    text = BATCH.replace("func (s *Store) Open(path string) (*DB, error) {", "func main() {")
    findings = reader.find_sites(go(text))
    returned = [f for f in findings if f.rule == "error_return"]
    assert [f.line for f in returned] == [line_of(text, "return nil, fmt.Errorf")]
    assert returned[0].start_line == line_of(text, "if err != nil {")


def test_find_sites_flags_an_error_replaced_by_another():
    text = """\
package store

func (s *Store) Get(key string) (*Item, error) {
	item, err := s.db.Get(key)
	if err != nil {
		return nil, ErrNotFound
	}
	if err := item.Check(); err != nil {
		return nil, errors.New("corrupt item")
	}
	return item, nil
}
"""
    findings = reader.find_sites(go(text))
    assert [(f.rule, f.line) for f in findings] == [
        ("except_converted", line_of(text, "ErrNotFound")),
        ("except_converted", line_of(text, "corrupt item")),
    ]


def test_find_sites_selects_rules():
    rules = {f.rule for f in reader.find_sites(go(BATCH), rules=["retry_loop"])}
    assert rules == {"retry_loop"}
    assert reader.find_sites(go(BATCH), rules=["io_call"]) == []


def test_finding_columns_count_characters_not_bytes():
    text = """\
package p

func m() {
\ts := "żółw"; if err := a(); err != nil {
\t\treturn
\t/* é */ }
}
"""
    (finding,) = reader.find_sites(go(text))
    lines = text.split("\n")
    assert (finding.start_line, finding.start_character) == (3, 14)
    assert (finding.end_line, finding.end_character) == (5, 10)
    assert lines[3][finding.start_character :].startswith("if err := a()")
    assert lines[5][: finding.end_character] == "\t/* é */ }"


def test_a_cursor_after_non_ascii_text_stands_where_the_characters_say():
    text = """\
package p

func m() {
\ta := 1
\ts := "żółwżółwżółw"; t := 2
\tb := 3
}
"""
    document = go(text)
    line = document.line(4)
    end_of_s = line.index(";") + 1
    site = reader.site_at(document, 4, end_of_s)
    assert site.character == end_of_s
    assert site.previous_statement == 's := "żółwżółwżółw"'
    assert site.next_statement == "t := 2"
    assert site.names == ("s", "a")
    assert site.typed.text == 's := "żółwżółwżółw";'
    inside = reader.site_at(document, 4, line.index("w"))  # inside the string: before `s :=` ends
    assert inside.previous_statement == "a := 1"
    assert inside.names == ("a",)


def test_generated_files_have_no_sites():
    text = "// Code generated by protoc-gen-go. DO NOT EDIT.\n\n" + BATCH
    assert reader.find_sites(go(text)) == []


# --- bad input --------------------------------------------------------------------------------

BAD_INPUTS = (
    "",
    "package",
    "package p\n\nfunc f( {\n\tif err != nil {\n\t\treturn\n",
    'func main() { log.Printf("x %v", err) }',
    "\x00\x01 not go at all }}}",
    'package p\n\nfunc f() {\n\tlog.Printf("unterminated\n}\n',
)


@pytest.mark.parametrize("text", BAD_INPUTS)
def test_bad_input_never_raises(text):
    document = go(text)
    for number in range(document.line_count + 2):
        site = reader.site_at(document, number, 3)
        assert site.kind in ("except", "entry", "raise", "return", "loop", "other")
    reader.logged_calls(document)
    reader.find_sites(document)
    assert isinstance(reader.statement_problems(document, 1, 'log.Println("x")'), list)
    reader.names_read(text)
    choice = idioms.logger_for(document, reader.site_at(document, 0, 0), ())
    assert choice.library == "log"


def test_unparsable_file_gives_a_best_effort_site():
    text = "package p\n\nfunc f(x int) {\n\ty := x +\n\n\tif err != nil {\n"
    site = reader.site_at(go(text), 4, 0)
    assert site.syntax_error
    assert site.function is not None and site.function.name == "f"
    assert "x" in site.names


def test_huge_file_is_read():
    body = "".join(
        f'\tif err := step{n}(); err != nil {{\n\t\treturn fmt.Errorf("step {n}: %w", err)\n\t}}\n'
        f'\tlog.Printf("done %d", {n})\n'
        for n in range(3000)
    )
    text = f'package main\n\nimport "log"\n\nfunc main() {{\n{body}\treturn\n}}\n'
    document = go(text)
    assert len(reader.logged_calls(document)) == 3000
    assert len(reader.find_sites(document)) == 3000
    site = reader.site_at(document, document.line_count - 3, 0)
    assert site.function.name == "main"


@pytest.mark.parametrize(
    ("typed", "logger", "level", "message"),
    [
        ("log.G(ctx).", "log.G(ctx)", "", None),
        ("zap.L().Inf", "zap.L()", "Inf", None),
        ('slog.Default().Error("failed to', "slog.Default()", "Error", "failed to"),
        ('log.Printf("', "log", "Printf", ""),
    ],
)
def test_a_typed_logger_chain_may_hold_calls(typed, logger, level, message):
    text = f"package p\n\nfunc f() {{\n\t{typed}\n}}\n"
    site = reader.site_at(go(text), 3, 1 + len(typed))
    assert (site.typed.logger, site.typed.level_prefix, site.typed.message) == (
        logger,
        level,
        message,
    )


def _calls_of(text: str):
    from logsmith.idioms import stages

    return stages.calls_of(go(text))


def test_a_local_logger_of_another_function_is_another_value():
    # `logger` is a zap logger in `start` and a string in `stop`: the name means nothing here
    text = """\
package a

import "go.uber.org/zap"

func start(name string) {
	logger := zap.NewExample()
	logger.Info("starting")
}

func stop(name string) {
	logger := name + "-stopper"

	_ = logger
}
"""
    site = site_on_blank_after(text, 'logger := name + "-stopper"')
    choice = idioms.logger_for(go(text), site, _calls_of(text))
    assert choice.expression == "zap.L()"


def test_a_parameter_declared_with_the_same_logger_type_is_called():
    # etcd passes `lg *zap.Logger` from function to function: each one's `lg` is a zap logger
    text = """\
package a

import "go.uber.org/zap"

func apply(lg *zap.Logger, name string) {
	lg.Info("applied", zap.String("name", name))
}

func warn(lg *zap.Logger, name string) {

}
"""
    site = site_on_blank_after(text, "func warn(lg *zap.Logger, name string) {")
    choice = idioms.logger_for(go(text), site, _calls_of(text))
    assert (choice.library, choice.expression) == ("zap", "lg")


def test_the_receiver_of_a_method_of_another_type_is_another_value():
    text = """\
package a

import "go.uber.org/zap"

type Server struct{ lg *zap.Logger }

type Client struct{ conn string }

func (s *Server) Close() { s.lg.Info("closed") }

func (s *Client) Close() {

}

func (_ *Server) Stop() {

}
"""
    calls = _calls_of(text)
    client = idioms.logger_for(
        go(text), site_on_blank_after(text, "func (s *Client) Close() {"), calls
    )
    assert client.expression == "zap.L()"
    unnamed = site_on_blank_after(text, "func (_ *Server) Stop() {")
    assert unnamed.function.receiver is None
    assert idioms.logger_for(go(text), unnamed, calls).expression == "zap.L()"


def test_names_that_hold_a_function_are_never_logged():
    # vet refuses `log.Printf("%v", handler)`: "a func value, not called"
    text = """\
package a

func register(name string, handler func(string) error, retries int) {
	var onDone func()
	cleanup, count := func() {}, 3
	var later = func() {}

	_, _, _, _ = onDone, cleanup, count, later
}
"""
    site = site_on_blank_after(text, "var later = func() {}")
    assert site.function_values == {"handler", "onDone", "cleanup", "later"}
    settings = logsmith.Settings(use_model=False)
    for suggestion in logsmith.suggest(text, site.line, 1, language="go", settings=settings):
        assert not set(suggestion.variables) & site.function_values, suggestion.statement
