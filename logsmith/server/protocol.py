"""JSON-RPC hardening on top of pygls: every request gets an answer,
no message takes the server down.

pygls drops a request whose params do not fit the LSP types (the client waits forever), answers
nothing to a body that is not JSON, and fails on a message that is not a JSON-RPC object. Here:
- a body that is not JSON gets a Parse error (-32700, id null);
- a message that is not a JSON-RPC 2.0 object gets Invalid Request
  (-32600, with its id when it has one);
- a request whose params cannot be read gets Invalid params (-32602) for its id;
- a request after `shutdown` gets Invalid Request instead of silence.
Document synchronisation is left to the server's own handlers (`logsmith.server.documents`), so
pygls' workspace copy of every file, which re-splits the whole text on each keystroke, is not kept.
"""

from __future__ import annotations

import logging
import traceback

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

log = logging.getLogger(__name__)

PARSE_ERROR = -32700


class AnsweredMessage:
    """A message already answered with an error while it was being read; nothing else to do."""

    jsonrpc = None


class LogsmithProtocol(LanguageServerProtocol):
    """The pygls protocol with this module's JSON-RPC hardening."""

    def structure_message(self, data):
        if not isinstance(data, dict) or "jsonrpc" not in data:
            return data  # nested objects, and top-level messages handle_message rejects
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "method" in data and "id" in data and _valid_id(data["id"]):
                log.warning(
                    "request %r (%s) has params that cannot be read: %s",
                    data["id"],
                    data.get("method"),
                    traceback.format_exc(limit=1).strip().splitlines()[-1],
                )
                error = exc if isinstance(exc, JsonRpcInvalidParams) else JsonRpcInvalidParams()
                self._send_response(data["id"], error=error.to_response_error())
                return AnsweredMessage()
            raise

    def handle_message(self, message):
        if isinstance(message, AnsweredMessage):
            return
        if not hasattr(message, "jsonrpc") or message.jsonrpc != self.VERSION:
            self.reject(message)
            return
        method = getattr(message, "method", None)
        if (
            self._shutdown
            and method not in (None, types.EXIT)
            and _valid_id(getattr(message, "id", None))
        ):
            self.send_error(
                message.id, JsonRpcInvalidRequest.CODE, f"{method}: the server is shutting down"
            )
            return
        super().handle_message(message)

    def reject(self, message) -> None:
        """Answer Invalid Request to something that is not a JSON-RPC 2.0 message."""
        msg_id = message.get("id") if isinstance(message, dict) else None
        if isinstance(message, dict) and "method" in message and "id" not in message:
            log.warning("ignoring a notification that is not JSON-RPC 2.0: %.200r", message)
            return
        log.warning(
            "answering Invalid Request to a message that is not JSON-RPC 2.0: %.200r", message
        )
        self.send_error(
            msg_id if _valid_id(msg_id) else None,
            JsonRpcInvalidRequest.CODE,
            "Invalid Request: expected a JSON-RPC 2.0 object",
        )

    def send_error(self, msg_id, code: int, message: str) -> None:
        self._send_data(
            {"jsonrpc": self.VERSION, "id": msg_id, "error": {"code": code, "message": message}}
        )

    # Document sync: keep no pygls workspace copy; the server's handlers own the text.

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params):
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield handler, (params,), None


def _valid_id(value) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool)
