//! A scripted stand-in for the native shell, for wasm tests of whole pages: it installs
//! `window.__TAURI__` with an `invoke` that answers each command from a table of JSON answers and
//! records every call, so a test can check what a page sent as well as what it showed.
//!
//! Tests in the test browser run one at a time; a test that installs the stand-in removes it at
//! its end ([`FakeShell`] does so when dropped), so other tests still run "outside the shell".

use crate::components::test_support::{find, settle};
use wasm_bindgen::{JsCast, JsValue};

/// `invoke(cmd, args)`: records the call, then answers from `answers[cmd]`; commands listed in
/// `sequences` take their answers in turn (the last one repeats).
const FAKE_INVOKE: &str = r#"
    const shell = globalThis.__pretzelFake;
    shell.calls.push({ cmd, args: JSON.parse(JSON.stringify(args ?? null)) });
    let answer = shell.answers[cmd];
    if (answer === undefined) {
        return Promise.reject({ kind: "internal", code: null, message: "no answer for " + cmd, fields: [] });
    }
    if (shell.sequences.includes(cmd)) {
        answer = answer.length > 1 ? answer.shift() : answer[0];
    }
    return Promise.resolve(JSON.parse(JSON.stringify(answer)));
"#;

/// `listen(event, handler)`: keeps the handler so a test can [`FakeShell::emit`] to it.
const FAKE_LISTEN: &str = r#"
    const shell = globalThis.__pretzelFake;
    const entry = { event, handler };
    shell.listeners.push(entry);
    return Promise.resolve(() => { shell.listeners = shell.listeners.filter((held) => held !== entry); });
"#;

/// The installed stand-in; dropping it removes it.
pub struct FakeShell;

impl FakeShell {
    /// Installs a shell answering from `answers` (an object keyed by command name).
    pub fn install(answers: &serde_json::Value, sequences: &[&str]) -> Self {
        let fake = js_sys::Object::new();
        let set = |target: &JsValue, key: &str, value: &JsValue| {
            js_sys::Reflect::set(target, &JsValue::from_str(key), value).expect("set property");
        };
        set(&fake, "calls", &js_sys::Array::new());
        set(&fake, "listeners", &js_sys::Array::new());
        set(&fake, "answers", &js_sys::JSON::parse(&answers.to_string()).expect("answers"));
        let sequences: js_sys::Array = sequences.iter().map(|cmd| JsValue::from_str(cmd)).collect();
        set(&fake, "sequences", &sequences);
        let global: JsValue = js_sys::global().into();
        set(&global, "__pretzelFake", &fake);
        let core = js_sys::Object::new();
        set(&core, "invoke", &js_sys::Function::new_with_args("cmd, args", FAKE_INVOKE));
        let event = js_sys::Object::new();
        set(&event, "listen", &js_sys::Function::new_with_args("event, handler", FAKE_LISTEN));
        let tauri = js_sys::Object::new();
        set(&tauri, "core", &core);
        set(&tauri, "event", &event);
        set(&global, "__TAURI__", &tauri);
        Self
    }

    /// The arguments of every call of `cmd` so far, oldest first, as JSON.
    pub fn calls(&self, cmd: &str) -> Vec<serde_json::Value> {
        let global: JsValue = js_sys::global().into();
        let fake = js_sys::Reflect::get(&global, &JsValue::from_str("__pretzelFake")).expect("fake shell");
        let calls = js_sys::Reflect::get(&fake, &JsValue::from_str("calls")).expect("calls");
        let json = js_sys::JSON::stringify(&calls).expect("stringify").as_string().expect("string");
        let calls: Vec<serde_json::Value> = serde_json::from_str(&json).expect("calls JSON");
        calls.into_iter().filter(|call| call["cmd"] == cmd).map(|call| call["args"].clone()).collect()
    }
}

impl FakeShell {
    /// Delivers `payload` to every handler listening to `event`, as the shell's `emit` would.
    pub fn emit(&self, event: &str, payload: &serde_json::Value) {
        let global: JsValue = js_sys::global().into();
        let fake = js_sys::Reflect::get(&global, &JsValue::from_str("__pretzelFake")).expect("fake shell");
        let listeners = js_sys::Reflect::get(&fake, &JsValue::from_str("listeners")).expect("listeners");
        let listeners: js_sys::Array = listeners.dyn_into().expect("an array");
        let message = js_sys::Object::new();
        let payload = js_sys::JSON::parse(&payload.to_string()).expect("payload");
        js_sys::Reflect::set(&message, &JsValue::from_str("payload"), &payload).expect("set payload");
        for entry in listeners.iter() {
            let name = js_sys::Reflect::get(&entry, &JsValue::from_str("event")).expect("event");
            if name.as_string().as_deref() == Some(event) {
                let handler = js_sys::Reflect::get(&entry, &JsValue::from_str("handler")).expect("handler");
                let handler: js_sys::Function = handler.dyn_into().expect("a function");
                handler.call1(&JsValue::NULL, &message).expect("handler ran");
            }
        }
    }
}

impl Drop for FakeShell {
    fn drop(&mut self) {
        let global: js_sys::Object = js_sys::global();
        for key in ["__TAURI__", "__pretzelFake"] {
            let _ = js_sys::Reflect::delete_property(&global, &JsValue::from_str(key));
        }
    }
}

/// Waits `millis` of real time (debounced input needs the clock to move).
pub async fn sleep(millis: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis)
            .expect("timer");
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.expect("sleep");
}

/// Waits (up to ten seconds) until `selector` matches under `root`.
pub async fn wait_for(root: &web_sys::HtmlElement, selector: &str) -> web_sys::Element {
    for _ in 0..200 {
        if let Some(found) = find(root, selector) {
            return found;
        }
        settle().await;
        sleep(50).await;
    }
    panic!("{selector} never appeared");
}

/// Clicks an element.
pub fn click(element: web_sys::Element) {
    element.dyn_into::<web_sys::HtmlElement>().expect("clickable").click();
}
