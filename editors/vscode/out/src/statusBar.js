"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.MENU_COMMAND = void 0;
exports.createStatusBarItem = createStatusBarItem;
/**
 * The status bar item: the model and the last suggestion's latency while the server runs, an error
 * sign when it could not start; a click opens the logsmith command menu.
 */
const vscode = __importStar(require("vscode"));
const statusText_1 = require("./statusText");
exports.MENU_COMMAND = "logsmith.showMenu";
function createStatusBarItem(server) {
    const item = vscode.window.createStatusBarItem("logsmith.status", vscode.StatusBarAlignment.Right, 100);
    item.name = "logsmith";
    item.command = exports.MENU_COMMAND;
    const render = (state) => {
        const view = (0, statusText_1.statusView)(state.phase, state.status, state.detail);
        item.text = view.text;
        item.tooltip = view.tooltip;
        item.accessibilityInformation = { label: view.ariaLabel };
        item.backgroundColor = state.phase === "failed" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
        item.show();
    };
    render(server.current);
    const subscription = server.onDidChangeState(render);
    return vscode.Disposable.from(item, subscription);
}
//# sourceMappingURL=statusBar.js.map