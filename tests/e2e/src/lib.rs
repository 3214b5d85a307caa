//! The end-to-end harness: launches the built Sportello Mixitè binary through `tauri-driver` (which starts
//! WebKitWebDriver, which starts the app) and drives its real webview the way an operator would, mostly with
//! the keyboard. One `tauri-driver` per app instance, on a free port pair, so two instances can run side by
//! side. It must be run under an X server (the Makefile uses `xvfb-run`).
//!
//! Clean-up is the point of most of this file: a leftover WebKitWebDriver keeps its port and the inherited
//! output pipes busy and the test run hangs. So `App::quit` ends the session and then stops `tauri-driver` with
//! SIGTERM (never SIGKILL: on SIGKILL it leaves WebKitWebDriver running), and `Drop` does the same
//! synchronously when a test panics half-way, then terminates whatever is left of this instance by process id
//! (WebKitWebDriver is tauri-driver's child, the app WebKitWebDriver's child; both are recorded at launch).
//!
//! A data folder starts without operators: `App::set_up_and_sign_in` creates the test responsabile
//! (`RESPONSABILE`, `RESPONSABILE_PASSPHRASE`, `RESPONSABILE_PIN`) on the first-start screen and leaves the app on
//! the agenda (`App::open_case_list` goes on to the case list); `App::sign_in` signs in on a folder that has operators.
//!
//! The platform's save dialog is a native GTK window WebDriver cannot reach: `answer_save_dialog` answers it
//! with real X input events (`xdotool`), as an operator would, typing the whole path into its name field.
//!
//! Environment: `APP_BINARY` (default `<repo>/target/debug/sportello-mixite`), `APP_EXE` (the binary the app's
//! process runs when `APP_BINARY` is a wrapper that execs it, as the offline run's tracer does), `TAURI_DRIVER` (default
//! `tauri-driver` on PATH, else `~/.cargo/bin/tauri-driver`), `ARTIFACTS` (screenshots and driver logs, default
//! `<repo>/artifacts/e2e`).

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub mod a11y;

pub use fantoccini::actions::{InputSource, KeyAction, KeyActions};
pub use fantoccini::elements::Element;
pub use fantoccini::key::Key;
pub use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// How long an explicit wait polls before failing.
pub const WAIT: Duration = Duration::from_secs(10);
/// How long the first start may take: it encrypts a register from before encryption.
pub const SET_UP_WAIT: Duration = Duration::from_secs(120);

/// The responsabile `App::set_up_and_sign_in` creates on a fresh data folder.
pub const RESPONSABILE: &str = "Anna Responsabile";
pub const RESPONSABILE_PASSPHRASE: &str = "una parola lunga 1";
pub const RESPONSABILE_PIN: &str = "2468";
const POLL: Duration = Duration::from_millis(50);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// The app binary under test (absolute).
pub fn app_binary() -> PathBuf {
    let p = std::env::var_os("APP_BINARY")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/debug/sportello-mixite"));
    let p = p.canonicalize().unwrap_or_else(|_| {
        panic!("the app binary {} does not exist: run `cargo build --bin sportello-mixite` first", p.display())
    });
    p
}

/// The executable the app's process runs: `APP_EXE` when `APP_BINARY` is a wrapper that execs another
/// binary (tests/offline/traced-app), else the app binary itself.
fn app_exe() -> PathBuf {
    std::env::var_os("APP_EXE")
        .map(|p| PathBuf::from(&p).canonicalize().unwrap_or_else(|_| PathBuf::from(p)))
        .unwrap_or_else(app_binary)
}

fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).map(|d| d.join("tauri-driver")).find(|p| p.is_file()))
        .unwrap_or(None);
    on_path
        .or_else(|| {
            let home = PathBuf::from(std::env::var_os("HOME")?);
            Some(home.join(".cargo/bin/tauri-driver")).filter(|p| p.is_file())
        })
        .expect("tauri-driver not found: `cargo install tauri-driver --locked --version 2.1.0`")
}

/// Where screenshots and logs go (created if missing).
pub fn artifacts() -> PathBuf {
    let dir = std::env::var_os("ARTIFACTS")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("artifacts/e2e"));
    fs::create_dir_all(&dir).expect("create the artifacts folder");
    dir
}

/// The current year on this machine's clock, local time (case numbers are `YYYY/NNNNNN`).
pub fn current_year() -> i32 {
    // SAFETY: localtime_r only writes the struct we hand it.
    unsafe {
        let now = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&now, &mut tm);
        tm.tm_year + 1900
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind a free port").local_addr().unwrap().port()
}

/// A blocking one-shot HTTP/1.1 request (used where no async runtime can be relied on: in `Drop`).
fn raw_http(port: u16, method: &str, path: &str, timeout: Duration) -> Option<String> {
    let mut s = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), timeout).ok()?;
    s.set_read_timeout(Some(timeout)).ok()?;
    s.set_write_timeout(Some(timeout)).ok()?;
    write!(s, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

fn alive(pid: i32) -> bool {
    // A zombie still answers kill(0): look at its state too.
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'),
        Err(_) => false,
    }
}

fn children_of(ppid: i32) -> Vec<i32> {
    let mut out = Vec::new();
    for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) {
            // "pid (comm) state ppid ..." — comm may hold spaces or parentheses: split after the last ')'.
            let rest: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
            if rest.get(1).and_then(|p| p.parse::<i32>().ok()) == Some(ppid) {
                out.push(pid);
            }
        }
    }
    out
}

/// SIGTERM to one process id, then wait for it to go (up to `timeout`). Returns whether it is gone.
fn terminate(pid: i32, timeout: Duration) -> bool {
    if !alive(pid) {
        return true;
    }
    // SAFETY: plain kill(2) on a process id we started (or that our child started).
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(POLL);
    }
    !alive(pid)
}

/// Polls `probe` until it yields `Some`, for up to `WAIT`; panics with `what` otherwise.
pub async fn eventually<T, F, Fut>(what: &str, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    eventually_within(WAIT, what, probe).await
}

/// As `eventually`, for up to `limit`.
pub async fn eventually_within<T, F, Fut>(limit: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let end = Instant::now() + limit;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        if Instant::now() > end {
            panic!("timed out after {limit:?} waiting for: {what}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// One running app instance behind its own tauri-driver.
pub struct App {
    client: Option<Client>,
    session_id: String,
    driver: Option<Child>,
    native_driver: Vec<i32>,
    app_pids: Vec<i32>,
    port: u16,
    pub label: String,
}

impl App {
    /// Starts tauri-driver and opens a session on the app with `--data-dir <data_dir>`.
    pub async fn launch(data_dir: &Path, label: &str) -> App {
        App::launch_env(data_dir, label, &[]).await
    }

    /// As `launch`, with extra environment variables for the app (tauri-driver passes its environment on
    /// to WebKitWebDriver, which passes it on to the app).
    pub async fn launch_env(data_dir: &Path, label: &str, env: &[(&str, &Path)]) -> App {
        let data_dir = data_dir.canonicalize().expect("the data folder exists");
        let logs = artifacts().join("logs");
        fs::create_dir_all(&logs).unwrap();
        let mut last_err = String::new();
        // A port taken between picking it and tauri-driver binding it: try again with another pair.
        for attempt in 0..3 {
            let (port, native_port) = (free_port(), free_port());
            if port == native_port {
                continue;
            }
            let log = fs::File::create(logs.join(format!("{label}-driver.log"))).unwrap();
            let mut cmd = Command::new(tauri_driver());
            cmd.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
                .env("GSETTINGS_BACKEND", std::env::var("GSETTINGS_BACKEND").unwrap_or("memory".into()))
                .envs(env.iter().copied())
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log);
            // Should this test process die without running Drop (killed by a timeout), the kernel sends
            // tauri-driver the SIGTERM it needs to take WebKitWebDriver down with it.
            // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
            unsafe {
                cmd.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                    Ok(())
                });
            }
            let driver = cmd.spawn().expect("start tauri-driver");
            let mut app = App {
                client: None,
                session_id: String::new(),
                driver: Some(driver),
                native_driver: Vec::new(),
                app_pids: Vec::new(),
                port,
                label: label.to_string(),
            };
            // /status is proxied to WebKitWebDriver: an answer means both are listening.
            let end = Instant::now() + WAIT;
            let mut ready = false;
            while Instant::now() < end {
                if let Some(r) = raw_http(port, "GET", "/status", Duration::from_secs(2)) {
                    if r.starts_with("HTTP/1.1 200") {
                        ready = true;
                        break;
                    }
                }
                if app.driver.as_mut().unwrap().try_wait().ok().flatten().is_some() {
                    break;
                }
                tokio::time::sleep(POLL).await;
            }
            let driver_pid = app.driver.as_ref().unwrap().id() as i32;
            app.native_driver = children_of(driver_pid);
            if !ready {
                last_err = format!("attempt {attempt}: tauri-driver on {port}/{native_port} did not answer /status");
                app.shutdown_sync();
                continue;
            }
            let caps = json!({
                "browserName": "wry",
                "tauri:options": {
                    "application": app_binary(),
                    "args": ["--data-dir", data_dir],
                },
            });
            let caps = match caps {
                Value::Object(m) => m,
                _ => unreachable!(),
            };
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps).connect(&format!("http://127.0.0.1:{port}")).await {
                Ok(client) => {
                    app.session_id = client.session_id().await.ok().flatten().unwrap_or_default();
                    app.client = Some(client);
                    // The app is WebKitWebDriver's child; several instances may share a data folder, so
                    // the process id, not the command line, says which one is ours.
                    app.app_pids = app.native_driver.iter().flat_map(|p| children_of(*p)).collect();
                    let bin = app_exe();
                    app.app_pids.retain(|p| fs::read_link(format!("/proc/{p}/exe")).is_ok_and(|e| e == bin));
                    app.wait_css("[data-screen], [data-startup-error]", "the app's first screen").await;
                    return app;
                }
                Err(e) => {
                    last_err = format!("attempt {attempt}: no WebDriver session: {e}");
                    app.shutdown_sync();
                }
            }
        }
        panic!("could not launch the app through tauri-driver: {last_err}");
    }

    pub fn client(&self) -> &Client {
        self.client.as_ref().expect("the session is open")
    }

    /// Ends the session (the app closes) and stops this instance's tauri-driver.
    pub async fn quit(mut self) {
        let t0 = Instant::now();
        if let Some(client) = self.client.take() {
            let _ = tokio::time::timeout(Duration::from_secs(15), client.close()).await;
            self.session_id.clear();
        }
        let t1 = Instant::now();
        self.shutdown_sync();
        eprintln!("[e2e] {}: session closed in {:?}, driver stopped in {:?}", self.label, t1 - t0, t1.elapsed());
    }

    fn shutdown_sync(&mut self) {
        // 1. the session (a panic left it open): closing it closes the app.
        if self.client.take().is_some() && !self.session_id.is_empty() {
            let _ = raw_http(self.port, "DELETE", &format!("/session/{}", self.session_id), Duration::from_secs(10));
            self.session_id.clear();
        }
        // WebKitWebDriver ends the app after answering the DELETE: let it, before tauri-driver (which SIGKILLs
        // WebKitWebDriver on SIGTERM) takes it down, or the app may be left orphaned.
        let end = Instant::now() + Duration::from_secs(5);
        while self.app_pids.iter().any(|p| alive(*p)) && Instant::now() < end {
            std::thread::sleep(POLL);
        }
        // 2. tauri-driver, with SIGTERM: it then stops WebKitWebDriver itself.
        if let Some(mut driver) = self.driver.take() {
            let pid = driver.id() as i32;
            if self.native_driver.is_empty() {
                self.native_driver = children_of(pid);
            }
            if !terminate(pid, Duration::from_secs(10)) {
                eprintln!("[e2e] tauri-driver {pid} did not stop on SIGTERM");
            }
            let _ = driver.try_wait();
        }
        // 3. whatever of this instance outlived that: WebKitWebDriver, then the app (ids recorded at launch).
        for pid in std::mem::take(&mut self.native_driver) {
            if alive(pid) && !terminate(pid, Duration::from_secs(5)) {
                eprintln!("[e2e] WebKitWebDriver {pid} did not stop on SIGTERM");
            }
        }
        for pid in std::mem::take(&mut self.app_pids) {
            if alive(pid) {
                eprintln!("[e2e] the app ({pid}) outlived its session: SIGTERM");
                if !terminate(pid, Duration::from_secs(5)) {
                    eprintln!("[e2e] the app {pid} did not stop on SIGTERM");
                }
            }
        }
    }

    // ---- observing -------------------------------------------------------------------------------------

    /// Runs a script in the page and returns its value (for reading state; input goes through the keyboard).
    pub async fn js(&self, script: &str) -> Value {
        self.client().execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e:?}\n{script}"))
    }

    /// Waits until `expr` (a JS expression) is truthy and returns its value.
    pub async fn wait_js(&self, expr: &str, what: &str) -> Value {
        self.wait_js_within(WAIT, expr, what).await
    }

    /// As `wait_js`, for up to `limit`.
    pub async fn wait_js_within(&self, limit: Duration, expr: &str, what: &str) -> Value {
        let script = format!("try {{ return ({expr}) || null; }} catch (e) {{ return null; }}");
        eventually_within(limit, what, || async {
            match self.client().execute(&script, vec![]).await {
                Ok(Value::Null) | Ok(Value::Bool(false)) | Err(_) => None,
                Ok(v) => Some(v),
            }
        })
        .await
    }

    /// Waits for an element matching `css`.
    pub async fn wait_css(&self, css: &str, what: &str) -> Element {
        eventually(what, || async { self.client().find(Locator::Css(css)).await.ok() }).await
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client().find_all(Locator::Css(css)).await.map(|v| v.len()).unwrap_or(0)
    }

    pub async fn text(&self, css: &str) -> String {
        let el = self.wait_css(css, &format!("an element {css}")).await;
        el.text().await.unwrap_or_default()
    }

    /// A short description of the focused element: `tag[name=…]` plus its data-* hooks.
    pub async fn focused(&self) -> String {
        self.js("const e = document.activeElement; if (!e) return '';
             const hooks = Array.from(e.attributes).filter(a => a.name.startsWith('data-')).map(a => a.name).join(' ');
             return `${e.tagName.toLowerCase()}${e.name ? `[name=${e.name}]` : ''} ${hooks}`.trim();")
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Whether the focused element matches `css`.
    pub async fn focus_is(&self, css: &str) -> bool {
        let script = format!("return !!document.activeElement?.matches({});", json!(css));
        self.js(&script).await == Value::Bool(true)
    }

    /// Whether an element matching `css` is rendered (laid out with a box), not merely present.
    pub async fn visible(&self, css: &str) -> bool {
        let script = format!(
            "const e = document.querySelector({}); return !!e && e.getClientRects().length > 0
               && getComputedStyle(e).visibility !== 'hidden';",
            json!(css)
        );
        self.js(&script).await == Value::Bool(true)
    }

    pub async fn screen(&self) -> String {
        self.js("return document.querySelector('[data-screen]')?.dataset.screen || ''")
            .await
            .as_str()
            .unwrap_or("")
            .into()
    }

    /// Waits until the mounted screen is `name` (list, form, detail).
    pub async fn wait_screen(&self, name: &str, why: &str) {
        let expr = format!("document.querySelector('[data-screen]')?.dataset.screen === {}", json!(name));
        self.wait_js(&expr, &format!("the {name} screen ({why})")).await;
    }

    /// Prints the checklist from its panel on the case and waits for the outcome of printing and the
    /// printed paper listed among the case's papers.
    pub async fn print_checklist(&self) {
        let print = self.wait_css("[data-checklist-print]", "the checklist print button").await;
        print.click().await.expect("click the checklist print button");
        self.wait_css("[data-no-printer], [data-print-ok]", "the outcome of printing").await;
        self.wait_css(
            "[data-papers-printed] [data-paper-file]",
            "the printed checklist listed among the case's papers",
        )
        .await;
    }

    /// Saves a PNG of the window into the artifacts folder; returns its path.
    /// Saves what the X server shows (the newest window is on top: Xvfb has no window manager). Taken with
    /// ImageMagick's `import` rather than WebDriver's Take Screenshot, which never answers when WebKitGTK
    /// runs without accelerated compositing, as the app does by default; and a capture of the screen is
    /// exactly what the operator sees.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let path = artifacts().join(format!("{name}.png"));
        let display = std::env::var("DISPLAY").expect("DISPLAY is set: the tests run under xvfb-run");
        let status = Command::new("timeout")
            .args(["20", "import", "-display", &display, "-window", "root"])
            .arg(&path)
            .status()
            .expect("run ImageMagick's import (package imagemagick)");
        assert!(status.success(), "capturing the screen for {name} failed: {status}");
        let png = fs::read(&path).expect("read the screenshot back");
        assert!(png.starts_with(b"\x89PNG"), "the capture of {name} is a PNG image");
        path
    }

    // ---- the keyboard ----------------------------------------------------------------------------------

    async fn perform(&self, actions: Vec<KeyAction>) {
        let mut seq = KeyActions::new("keyboard".into());
        for a in actions {
            seq = seq.then(a);
        }
        self.client().perform_actions(seq).await.expect("perform key actions");
        self.client().release_actions().await.expect("release keys");
    }

    /// Types text (and special keys such as `Key::Enter` as chars) into whatever has the focus.
    pub async fn type_keys(&self, text: &str) {
        let mut actions = Vec::new();
        for c in text.chars() {
            actions.push(KeyAction::Down { value: c });
            actions.push(KeyAction::Up { value: c });
        }
        self.perform(actions).await;
    }

    pub async fn press(&self, key: Key) {
        self.type_keys(&char::from(key).to_string()).await;
    }

    /// A modifier chord such as Alt+N or Ctrl+K (`key` is the character, e.g. 'n').
    pub async fn chord(&self, modifier: Key, key: char) {
        let m = char::from(modifier);
        self.perform(vec![
            KeyAction::Down { value: m },
            KeyAction::Down { value: key },
            KeyAction::Up { value: key },
            KeyAction::Up { value: m },
        ])
        .await;
    }

    /// `modifier`+Shift+`key` (e.g. Ctrl+Shift+L).
    pub async fn chord_shift(&self, modifier: Key, key: char) {
        let (m, shift) = (char::from(modifier), char::from(Key::Shift));
        self.perform(vec![
            KeyAction::Down { value: m },
            KeyAction::Down { value: shift },
            KeyAction::Down { value: key },
            KeyAction::Up { value: key },
            KeyAction::Up { value: shift },
            KeyAction::Up { value: m },
        ])
        .await;
    }

    /// Presses Tab until the focused element matches `css` (at most `max` times).
    pub async fn tab_to(&self, css: &str, max: usize) {
        for _ in 0..max {
            if self.focus_is(css).await {
                return;
            }
            self.press(Key::Tab).await;
        }
        assert!(
            self.focus_is(css).await,
            "{max} Tab presses should reach {css} (the keyboard order must lead there); focus is on {}",
            self.focused().await
        );
    }

    /// Tabs to the form control `name` and types `text` into it.
    pub async fn fill(&self, name: &str, text: &str) {
        self.tab_to(&format!("[name=\"{name}\"]"), 60).await;
        self.type_keys(text).await;
    }

    /// The value of the form control `name`.
    pub async fn value_of(&self, name: &str) -> String {
        let script = format!("return document.querySelector('[name=\"{name}\"]')?.value ?? null;");
        self.js(&script).await.as_str().unwrap_or_default().to_string()
    }

    /// Tabs to the select `name` and chooses the option whose text is `text` with Home and ↓. (Typing the
    /// text would not do for a name: in WebKitGTK a space on a select opens its drop-down.)
    pub async fn choose(&self, name: &str, text: &str) {
        self.tab_to(&format!("[name=\"{name}\"]"), 60).await;
        self.press(Key::Home).await;
        let selected = "const s = document.activeElement;
            return s.selectedIndex < 0 ? '' : s.options[s.selectedIndex].text.trim();";
        let options = self.js("return document.activeElement.options.length;").await.as_u64().unwrap_or(0);
        for _ in 0..=options {
            if self.js(selected).await.as_str() == Some(text) {
                return;
            }
            self.press(Key::Down).await;
        }
        panic!("the select {name} has no option {text:?} (it shows {})", self.js(selected).await);
    }

    // ---- access ----------------------------------------------------------------------------------------

    /// On a fresh data folder: creates the test responsabile (`RESPONSABILE`) on the first-start screen,
    /// confirms the recovery key and waits for the agenda (the first screen).
    pub async fn set_up_and_sign_in(&self) {
        self.set_up(RESPONSABILE, RESPONSABILE_PASSPHRASE, RESPONSABILE_PIN).await;
    }

    /// The first-start screen (`[data-setup-form]`) filled in with the keyboard: `name`, the passphrase
    /// twice, the session's PIN, Enter. On the recovery key screen, Space ticks "printed and sealed"
    /// (`[data-recovery-confirm]`) and Enter on `[data-recovery-continue]` goes on; waits for the case list.
    /// Returns the recovery key as shown, its groups separated by single spaces.
    pub async fn set_up(&self, name: &str, passphrase: &str, pin: &str) -> String {
        self.wait_css("[data-setup-form]", "the first-start screen (a data folder without operators)").await;
        self.wait_js(
            "document.activeElement?.name === 'operator'",
            "the focus on the name field when the first-start screen opens",
        )
        .await;
        self.type_keys(name).await;
        self.fill("passphrase", passphrase).await;
        self.fill("passphraseRepeat", passphrase).await;
        self.fill("pin", pin).await;
        self.press(Key::Enter).await;
        let key = self
            .wait_js_within(
                SET_UP_WAIT,
                "document.querySelector('[data-recovery-key]')?.textContent.trim()",
                "the recovery key, shown once after the first start",
            )
            .await;
        let key = key.as_str().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
        self.tab_to("[data-recovery-confirm]", 10).await;
        self.type_keys(" ").await;
        assert!(
            self.js("return document.querySelector('[data-recovery-confirm]').checked;").await == Value::Bool(true),
            "Space on the recovery checkbox must tick it"
        );
        self.tab_to("[data-recovery-continue]", 5).await;
        self.press(Key::Enter).await;
        self.wait_screen("agenda", "the agenda, the first screen once the recovery key is confirmed").await;
        key
    }

    /// From the agenda (the first screen after signing in): `/` goes to the case list, its search box
    /// focused.
    pub async fn open_case_list(&self) {
        self.wait_screen("agenda", "the agenda, the first screen after signing in").await;
        self.type_keys("/").await;
        self.wait_screen("list", "the case list, from the agenda with /").await;
    }

    /// The sign-in screen (`[data-signin-form]`) with the keyboard: `name` chosen in the list, the
    /// passphrase, the PIN for the session, Enter; waits until the header shows `name`.
    pub async fn sign_in(&self, name: &str, passphrase: &str, pin: &str) {
        self.wait_css("[data-signin-form]", "the sign-in screen").await;
        self.choose("operatorId", name).await;
        self.fill("passphrase", passphrase).await;
        self.fill("pin", pin).await;
        self.press(Key::Enter).await;
        let expr = format!(
            "!document.querySelector('[data-app-header]').hidden
               && document.querySelector('[data-operator-name]')?.textContent.trim() === {}",
            json!(name)
        );
        self.wait_js(&expr, &format!("the header to show {name} signed in")).await;
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.shutdown_sync();
    }
}

/// A fresh data folder (removed on drop).
pub fn temp_data_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("mixite-e2e-").tempdir().expect("create a temporary data folder")
}

/// The window names the platform's save dialog may have: GTK's own title in English or Italian (the app
/// sets none, so GTK's translation of "Save File" shows), as an `xdotool search --name` pattern.
pub const SAVE_DIALOG_NAMES: &str = "^(Save File|Salva file|Save|Salva)$";

/// Answers the GTK save dialog the app has open (`blocking_save_file`, which WebDriver cannot reach: it is
/// a native window, not the webview) as an operator would, with real X input events under Xvfb: waits
/// for a visible window named as `SAVE_DIALOG_NAMES` says (`xdotool search --sync`, at most `WAIT`
/// × 3), gives it the keyboard focus (there is no window manager under Xvfb to activate it), selects the
/// proposed name in the focused name field, types the full `path` over it (GTK's name field takes a
/// whole path and saves there) and presses Return. Returns once the dialog window is no longer shown. Needs
/// `xdotool` (the Makefile's `APT_TEST`). Reusable for any save dialog of the app: a CSV, a PDF, an
/// archive folder is the same window.
pub async fn answer_save_dialog(path: &Path) {
    let window = xdotool_wait_window(SAVE_DIALOG_NAMES, WAIT * 3).await;
    xdotool(&["windowfocus", "--sync", &window]);
    // GTK lays the dialog out and focuses its name field after mapping it: give it a moment, then
    // select what it proposes so the path replaces it.
    tokio::time::sleep(Duration::from_millis(400)).await;
    xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
    xdotool(&["type", "--delay", "15", "--clearmodifiers", &path.display().to_string()]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    xdotool(&["key", "--clearmodifiers", "Return"]);
    let end = Instant::now() + WAIT;
    while Instant::now() < end {
        if !xdotool_window_shown(SAVE_DIALOG_NAMES, &window) {
            return;
        }
        tokio::time::sleep(POLL).await;
    }
    // What the dialog shows, for whoever reads the failure (ImageMagick's `import`, as the X server has it).
    let shot = artifacts().join("save-dialog.png");
    let _ = Command::new("import").args(["-window", "root"]).arg(&shot).status();
    panic!("the save dialog did not close after typing {} (screen: {})", path.display(), shot.display());
}

/// Runs `xdotool` with `args`; panics with what it said when it fails.
pub fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("xdotool (apt-get install xdotool): {e}"));
    assert!(out.status.success(), "xdotool {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The id of the first visible window whose name matches `pattern`, waiting for it up to `limit`.
pub async fn xdotool_wait_window(pattern: &str, limit: Duration) -> String {
    let end = Instant::now() + limit;
    loop {
        let out = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", pattern])
            .output()
            .unwrap_or_else(|e| panic!("xdotool (apt-get install xdotool): {e}"));
        if let Some(id) = String::from_utf8_lossy(&out.stdout).lines().next() {
            return id.trim().to_string();
        }
        if Instant::now() > end {
            panic!("no window named {pattern:?} appeared within {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Whether `window` is still mapped among the windows named `pattern` (GTK may hide a dialog it keeps
/// rather than destroy it, so the id alone says nothing).
fn xdotool_window_shown(pattern: &str, window: &str) -> bool {
    Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", pattern])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == window))
}

/// The records of a CSV file as Italian Excel and LibreOffice read the app's exports: UTF-8 with a
/// byte-order mark (required), `;` between fields, fields in double quotes when they hold one (a doubled
/// quote inside), records on lines.
pub fn read_italian_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).expect("the CSV is UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("the CSV starts with a byte-order mark");
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ';') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// A number of an Italian CSV cell: `0,50` → 0.5 (comma decimals; "<5" and text are `None`).
pub fn italian_number(cell: &str) -> Option<f64> {
    cell.replace(',', ".").parse().ok()
}
