//! The end-to-end harness: serves the built page on loopback, starts a WebDriver server and its
//! browser, and gives tests a [`Page`] to drive like a reader.
//!
//! The page under test is the release build in `SPIEGA_DIST` (set by `cargo xtask test`), or
//! `target/e2e-dist`. The browser is headless Chromium, or the [`Engine`] that `SPIEGA_BROWSER`
//! names (`firefox`: Firefox ESR through geckodriver; `webkit`: WebKitGTK's MiniBrowser through
//! WebKitWebDriver under Xvfb). Every [`Page`] collects the browser's console errors (each engine
//! in its own way, see [`Engine`]); [`Page::finish`] fails the test on any error logged while it
//! ran, and on any figure that shows the reader it could not start.

use base64::Engine as _;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The result type of the harness: errors are messages that say what went wrong.
pub type Result<T> = std::result::Result<T, String>;

/// Maps any displayable error to the harness's error.
pub fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// The folder of the built page.
pub fn dist() -> PathBuf {
    std::env::var_os("SPIEGA_DIST")
        .map_or_else(|| root().join("target").join("e2e-dist"), PathBuf::from)
}

/// A copy of the built page's files in a fresh temporary folder named after `label` (removed
/// when dropped), for a test that deploys the page again or takes a file away.
pub fn copy_of_build(label: &str) -> Result<TempDir> {
    let copy = TempDir(std::env::temp_dir().join(format!("spiega-{label}-{}", std::process::id())));
    std::fs::create_dir_all(&copy.0).map_err(err)?;
    for entry in std::fs::read_dir(dist()).map_err(err)? {
        let path = entry.map_err(err)?.path();
        if let (true, Some(name)) = (path.is_file(), path.file_name()) {
            std::fs::copy(&path, copy.0.join(name)).map_err(err)?;
        }
    }
    Ok(copy)
}

/// A [`copy_of_build`] without the files whose names start with `prefix` and end with `suffix`;
/// an error unless exactly one such file was there.
pub fn copy_of_build_without(label: &str, prefix: &str, suffix: &str) -> Result<TempDir> {
    let copy = copy_of_build(label)?;
    let mut removed = 0;
    for entry in std::fs::read_dir(&copy.0).map_err(err)? {
        let path = entry.map_err(err)?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with(prefix) && name.ends_with(suffix) {
            std::fs::remove_file(&path).map_err(err)?;
            removed += 1;
        }
    }
    if removed == 1 {
        Ok(copy)
    } else {
        Err(format!(
            "the build holds {removed} files {prefix}…{suffix}, not one"
        ))
    }
}

/// Where screenshots are saved.
pub fn screenshot_dir() -> PathBuf {
    root().join("target").join("screenshots")
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(err)?;
    Ok(l.local_addr().map_err(err)?.port())
}

/// A static file server for the built page on 127.0.0.1, stopped when dropped.
///
/// It answers each connection on its own thread with one response and `Connection: close`:
/// the simplest HTTP that a browser never stalls on. The page is served at the root, or under a
/// sub-path as a host publishing it in a folder would (`/spiega/`), with nothing outside it.
/// Where a file has a gzip copy beside it (`X.gz`, which only the page benchmark writes), that
/// copy is sent compressed, as a host sends its precompressed files.
pub struct StaticServer {
    stop: Arc<AtomicBool>,
    held: Arc<Held>,
    port: u16,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The address pages are served at, e.g. `http://127.0.0.1:41234` or
    /// `http://127.0.0.1:41234/spiega`.
    pub base: String,
}

/// The files the server holds back: a request for a file whose name starts with the prefix
/// waits, without an answer, until the prefix is cleared ([`StaticServer::release`]).
#[derive(Default)]
struct Held {
    prefix: Mutex<Option<String>>,
    released: Condvar,
}

impl Held {
    /// Waits while `name` is held back.
    fn wait_for(&self, name: &str) {
        let mut prefix = self.prefix.lock().unwrap_or_else(|e| e.into_inner());
        while prefix.as_deref().is_some_and(|p| name.starts_with(p)) {
            prefix = self
                .released
                .wait(prefix)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
}

fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// Reads one request from `stream` and answers with the file it names under `dir`, served at the
/// path `prefix` (which starts and ends with `/`), or 404; a file `held` back waits first.
fn respond(dir: &Path, prefix: &str, held: &Held, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&head);
    let gzip_accepted = head.lines().any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("accept-encoding:") && l.contains("gzip")
    });
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let (inside, rel) = match path.strip_prefix(prefix) {
        Some(rel) => (!rel.split('/').any(|p| p == ".."), rel),
        None => (false, ""),
    };
    let rel = if rel.is_empty() { "index.html" } else { rel };
    held.wait_for(rel);
    let file = dir.join(rel);
    // A compressed copy beside the file (`X.gz`, as a static host's precompressed files) is
    // sent instead when the browser takes gzip.
    let compressed = std::fs::read(dir.join(format!("{rel}.gz")))
        .ok()
        .filter(|_| inside && gzip_accepted);
    let encoding = if compressed.is_some() {
        "Content-Encoding: gzip\r\n"
    } else {
        ""
    };
    let (status, kind, body) = match (inside, compressed.map_or_else(|| std::fs::read(&file), Ok)) {
        (true, Ok(bytes)) => ("200 OK", mime(&file), bytes),
        _ => ("404 Not Found", "text/plain", b"not found".to_vec()),
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n{encoding}Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(header.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.flush();
}

impl StaticServer {
    /// Serves `dir` at the root of a free loopback port.
    pub fn start(dir: &Path) -> Result<Self> {
        Self::start_under(dir, "/")
    }

    /// Serves `dir` under the path `prefix` (such as `/spiega/`) of a free loopback port, and
    /// answers 404 to anything outside it.
    pub fn start_under(dir: &Path, prefix: &str) -> Result<Self> {
        if !prefix.starts_with('/') || !prefix.ends_with('/') {
            return Err(format!("a served path starts and ends with /: {prefix}"));
        }
        if !dir.join("index.html").exists() {
            return Err(format!(
                "no built page in {}: run `cargo xtask test` (it builds it first)",
                dir.display()
            ));
        }
        let listener = TcpListener::bind("127.0.0.1:0").map_err(err)?;
        let port = listener.local_addr().map_err(err)?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let held = Arc::new(Held::default());
        let dir = dir.to_path_buf();
        let flag = Arc::clone(&stop);
        let holding = Arc::clone(&held);
        let served = prefix.to_owned();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let (dir, served, held) = (dir.clone(), served.clone(), Arc::clone(&holding));
                    std::thread::spawn(move || respond(&dir, &served, &held, stream));
                }
            }
        });
        Ok(Self {
            stop,
            held,
            port,
            thread: Some(thread),
            base: format!("http://127.0.0.1:{port}{}", prefix.trim_end_matches('/')),
        })
    }
}

impl StaticServer {
    /// Holds back every file whose name starts with `prefix` until [`StaticServer::release`].
    pub fn hold(&self, prefix: &str) {
        *self.held.prefix.lock().unwrap_or_else(|e| e.into_inner()) = Some(prefix.to_owned());
    }

    /// Answers the requests held back, and holds nothing from now on.
    pub fn release(&self) {
        *self.held.prefix.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.held.released.notify_all();
    }

    /// Stops answering: the loopback port refuses every connection from now on, as a host
    /// that went away (a reader offline) does.
    pub fn stop(&mut self) {
        self.release();
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag, and wait until it has closed the port.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The browser engine the tests drive, named by `SPIEGA_BROWSER` (`chromium` when unset).
///
/// Console errors are read where each engine lets them be read: Chromium's through ChromeDriver's
/// log endpoint and Firefox's from its standard output (the `devtools.console.stdout.content`
/// preference, passed on by geckodriver), both from the first line the page runs. MiniBrowser
/// driven by WebKitWebDriver writes no console anywhere the harness can read, so in WebKit a
/// script put in the page once it is ready ([`ERROR_HOOK`]) keeps what `console.error`, uncaught
/// exceptions and rejected promises report from then on; an error while the page starts shows
/// there as a page that never becomes ready, or as a figure's "could not start" message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Headless Chromium through ChromeDriver: every test.
    Chromium,
    /// Headless Firefox ESR through geckodriver: the smoke tests.
    Firefox,
    /// WebKitGTK's MiniBrowser through WebKitWebDriver, on an Xvfb display: the smoke tests.
    WebKit,
}

impl Engine {
    /// The engine `SPIEGA_BROWSER` names.
    pub fn current() -> Result<Self> {
        match std::env::var("SPIEGA_BROWSER").as_deref() {
            Err(_) | Ok("" | "chromium") => Ok(Self::Chromium),
            Ok("firefox") => Ok(Self::Firefox),
            Ok("webkit") => Ok(Self::WebKit),
            Ok(other) => Err(format!(
                "SPIEGA_BROWSER={other}: the engines are chromium, firefox and webkit"
            )),
        }
    }

    /// The engine's name as `SPIEGA_BROWSER` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Chromium => "chromium",
            Self::Firefox => "firefox",
            Self::WebKit => "webkit",
        }
    }

    /// The WebDriver server listening on `port`: program and arguments.
    fn driver_command(self, port: u16) -> Command {
        let program =
            |var: &str, default: &str| std::env::var(var).unwrap_or_else(|_| default.into());
        match self {
            Self::Chromium => {
                let mut c = Command::new(program("CHROMEDRIVER", "/usr/bin/chromedriver"));
                c.arg(format!("--port={port}"));
                c
            }
            Self::Firefox => {
                let installed = std::env::var_os("CARGO_HOME")
                    .map(PathBuf::from)
                    .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
                    .map(|home| home.join("bin").join("geckodriver"))
                    .filter(|p| p.exists())
                    .map_or_else(|| "geckodriver".to_owned(), |p| p.display().to_string());
                let mut c = Command::new(program("GECKODRIVER", &installed));
                c.args(["--port", &port.to_string()]);
                c
            }
            Self::WebKit => {
                let mut c = Command::new("xvfb-run");
                c.args(["-a", "-s", "-screen 0 1920x1200x24"])
                    .arg(program("WEBKITWEBDRIVER", "/usr/bin/WebKitWebDriver"))
                    .arg(format!("--port={port}"));
                c
            }
        }
    }

    /// The capabilities that start the browser in a `width × height` window, with `profile` as
    /// Chromium's user folder.
    fn capabilities(self, width: u32, height: u32, profile: &Path) -> Value {
        let program =
            |var: &str, default: &str| std::env::var(var).unwrap_or_else(|_| default.into());
        match self {
            Self::Chromium => json!({
                "goog:chromeOptions": {
                    "binary": program("CHROMIUM", "/usr/bin/chromium"),
                    "args": [
                        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-first-run", "--hide-scrollbars", "--force-device-scale-factor=1",
                        format!("--window-size={width},{height}"),
                        format!("--user-data-dir={}", profile.display()),
                    ]
                },
                "goog:loggingPrefs": { "browser": "ALL" }
            }),
            Self::Firefox => json!({
                "browserName": "firefox",
                "moz:firefoxOptions": {
                    "binary": program("FIREFOX", "/usr/bin/firefox-esr"),
                    "args": ["-headless"],
                    "prefs": { "devtools.console.stdout.content": true }
                }
            }),
            Self::WebKit => json!({
                "browserName": "MiniBrowser",
                "webkitgtk:browserOptions": {
                    "binary": program(
                        "MINIBROWSER",
                        "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
                    ),
                    "args": ["--automation"]
                }
            }),
        }
    }

    /// Whether a line the browser wrote to its output reports an error of the page (not of the
    /// browser itself, such as Firefox failing to reach its update servers).
    fn is_error_line(self, line: &str) -> bool {
        match self {
            // The page's own: text it logged as an error (quoted), and exceptions thrown in its
            // scripts (named by their address); Firefox's own messages name neither.
            Self::Firefox => {
                line.starts_with("console.error: \"")
                    || line.starts_with("JavaScript error: http://127.0.0.1")
            }
            Self::Chromium | Self::WebKit => false,
        }
    }
}

/// Keeps the page's errors in `window.spiegaErrors` (WebKit, see [`Engine`]): each call to
/// `console.error`, each uncaught exception and each rejected promise nobody handled. Installed
/// once per loaded page; returns and empties what was kept, or `null` when it was just installed.
pub const ERROR_HOOK: &str = "if (!window.spiegaErrors) {
       window.spiegaErrors = [];
       const logError = console.error.bind(console);
       console.error = (...args) => { window.spiegaErrors.push(args.map(String).join(' ')); logError(...args); };
       addEventListener('error', e => window.spiegaErrors.push('uncaught: ' + e.message));
       addEventListener('unhandledrejection', e => window.spiegaErrors.push('unhandled rejection: ' + e.reason));
       return null;
     }
     return window.spiegaErrors.splice(0);";

/// A WebDriver server (and the browser it starts), stopped with its whole process group when
/// dropped; what it writes is kept for the console checks.
pub struct Driver {
    child: Child,
    output: Arc<Mutex<Vec<String>>>,
    /// Its WebDriver address.
    pub url: String,
}

/// Keeps every line `from` writes in `into`, on a thread of its own.
fn keep_lines(from: impl Read + Send + 'static, into: &Arc<Mutex<Vec<String>>>) {
    let into = Arc::clone(into);
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::BufReader::new(from)
            .lines()
            .map_while(std::result::Result::ok)
        {
            if let Ok(mut lines) = into.lock() {
                lines.push(line);
            }
        }
    });
}

impl Driver {
    /// Starts the engine's WebDriver server on a free port and waits until it listens. The
    /// server and its browser keep their temporary files under `temp` (Chromium leaves tens of
    /// megabytes a session in the system's temporary folder otherwise).
    pub fn start(engine: Engine, temp: &Path) -> Result<Self> {
        let port = free_port()?;
        let mut command = engine.driver_command(port);
        command.env("TMPDIR", temp);
        let mut child = command
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                format!(
                    "could not start {:?}: {e} (run `cargo xtask setup`)",
                    command.get_program()
                )
            })?;
        let output = Arc::new(Mutex::new(Vec::new()));
        if let Some(out) = child.stdout.take() {
            keep_lines(out, &output);
        }
        if let Some(err) = child.stderr.take() {
            keep_lines(err, &output);
        }
        let driver = Self {
            child,
            output,
            url: format!("http://127.0.0.1:{port}"),
        };
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(30) {
                return Err(format!(
                    "the {} WebDriver server did not start listening within 30 s:\n{}",
                    engine.name(),
                    driver.take_output().join("\n")
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    /// The lines written since the last call.
    fn take_output(&self) -> Vec<String> {
        self.output
            .lock()
            .map(|mut lines| std::mem::take(&mut *lines))
            .unwrap_or_default()
    }

    /// Sends `signal` to the server's process group (the server, the browser, Xvfb).
    fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Asked to stop first, so Xvfb removes its display's lock; killed if it lingers.
        self.signal("-TERM");
        let start = Instant::now();
        while matches!(self.child.try_wait(), Ok(None)) {
            if start.elapsed() > Duration::from_secs(5) {
                self.signal("-KILL");
                let _ = self.child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.wait();
    }
}

/// A raw WebDriver command to an endpoint under the session (ChromeDriver's extensions).
#[derive(Debug)]
struct SessionCommand {
    path: &'static str,
    body: Value,
}

impl WebDriverCompatibleCommand for SessionCommand {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> std::result::Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or(""),
            self.path
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// A browser window on the page, with the server and driver behind it.
pub struct Page {
    /// The WebDriver client.
    pub client: Client,
    /// The page's address.
    pub base: String,
    /// The engine the page is open in.
    pub engine: Engine,
    errors: Vec<String>,
    /// Errors the page-side hook kept in pages since left (WebKit only).
    hooked: Mutex<Vec<String>>,
    server: StaticServer,
    driver: Driver,
    /// Dropped last, once the browser has stopped: its profile and temporary files.
    _profile: TempDir,
}

/// A temporary folder removed when dropped (the browser's profile and temporary files, or a
/// test's own copy of the build).
pub struct TempDir(pub PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Page {
    /// Opens the built page at `path` (e.g. `/` or `/#state`) in a `width × height` viewport.
    pub async fn open(path: &str, width: u32, height: u32) -> Result<Self> {
        Self::open_in(&dist(), path, width, height).await
    }

    /// Opens `path` of the page built into `dist` (see [`Page::open`]).
    pub async fn open_in(dist: &Path, path: &str, width: u32, height: u32) -> Result<Self> {
        Self::open_on(StaticServer::start(dist)?, path, width, height).await
    }

    /// Opens the built page published under the sub-path `prefix` (such as `/spiega/`), at
    /// `path` within it; nothing outside that sub-path is served.
    pub async fn open_under(prefix: &str, path: &str, width: u32, height: u32) -> Result<Self> {
        let server = StaticServer::start_under(&dist(), prefix)?;
        Self::open_on(server, path, width, height).await
    }

    /// Opens `path` of the built page with every file whose name starts with `held` held back by
    /// the server until [`Page::release`]; waits only until the first chart has been drawn (the
    /// page's `spiega:first-chart` mark), not for every figure.
    pub async fn open_holding(held: &str, path: &str, width: u32, height: u32) -> Result<Self> {
        let first_chart = "performance.getEntriesByName('spiega:first-chart').length > 0";
        Self::open_holding_until(held, path, width, height, first_chart).await
    }

    /// Opens `path` of the built page with every file whose name starts with `held` held back
    /// (see [`Page::open_holding`]), and waits only until the JavaScript `condition` holds.
    pub async fn open_holding_until(
        held: &str,
        path: &str,
        width: u32,
        height: u32,
        condition: &str,
    ) -> Result<Self> {
        let server = StaticServer::start(&dist())?;
        server.hold(held);
        let page = Self::connect(server, width, height).await?;
        page.navigate(path).await?;
        page.wait_until(condition, 20).await?;
        Ok(page)
    }

    /// Answers the requests [`Page::open_holding`] held back, and waits until every figure has
    /// mounted.
    pub async fn release(&self) -> Result<()> {
        self.server.release();
        self.wait_started().await
    }

    /// Opens `path` of the page that `server` serves (see [`Page::open`]).
    async fn open_on(server: StaticServer, path: &str, width: u32, height: u32) -> Result<Self> {
        let page = Self::connect(server, width, height).await?;
        page.goto(path).await?;
        Ok(page)
    }

    /// Starts a browser at `width` × `height` for the page that `server` serves, on no page yet.
    async fn connect(server: StaticServer, width: u32, height: u32) -> Result<Self> {
        let engine = Engine::current()?;
        let profile = std::env::temp_dir().join(format!(
            "spiega-e2e-{}-{}",
            std::process::id(),
            free_port()?
        ));
        std::fs::create_dir_all(&profile).map_err(err)?;
        let profile = TempDir(profile);
        let caps = match engine.capabilities(width, height, &profile.0.join("profile")) {
            Value::Object(m) => m,
            _ => return Err("capabilities".into()),
        };
        // A port picked free can be taken by another test's server or browser before the
        // WebDriver server binds it: a server that does not answer is replaced by a new one, on
        // a new port, up to three times. What is under test starts after this.
        let mut failures = Vec::new();
        let (driver, client) = loop {
            let driver = Driver::start(engine, &profile.0)?;
            let connected =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&driver.url)
                    .await;
            match connected {
                Ok(client) => break (driver, client),
                Err(e) => failures.push(format!("{e}\n{}", driver.take_output().join("\n"))),
            }
            if failures.len() == 3 {
                return Err(format!(
                    "could not start {} through its WebDriver server:\n{}",
                    engine.name(),
                    failures.join("\n")
                ));
            }
        };
        let page = Self {
            client,
            base: server.base.clone(),
            engine,
            errors: Vec::new(),
            hooked: Mutex::new(Vec::new()),
            server,
            driver,
            _profile: profile,
        };
        page.set_viewport(width, height, false).await?;
        Ok(page)
    }

    /// Navigates to `path` on the served page and waits until every figure has mounted.
    pub async fn goto(&self, path: &str) -> Result<()> {
        self.navigate(path).await?;
        self.wait_started().await?;
        if self.engine == Engine::WebKit {
            self.js(ERROR_HOOK).await?;
        }
        Ok(())
    }

    /// Navigates to `path` on the served page, keeping the errors the page being left caught.
    async fn navigate(&self, path: &str) -> Result<()> {
        self.keep_hooked_errors().await?;
        self.client
            .goto(&format!("{}{}", self.base, path))
            .await
            .map_err(err)
    }

    /// Waits until every figure has mounted (the page's `data-spiega="ready"`); if that does not
    /// come, says what the page loaded and what its console said.
    async fn wait_started(&self) -> Result<()> {
        if let Err(e) = self
            .wait_until("document.documentElement.dataset.spiega === 'ready'", 20)
            .await
        {
            let console = self.console_text().await.unwrap_or_default();
            let loaded = self
                .js("return document.readyState + ' ' + JSON.stringify(performance.getEntriesByType('resource').map(r => [r.name, Math.round(r.duration), r.responseStatus]));")
                .await
                .unwrap_or_default();
            return Err(format!(
                "the page did not start: {e}\nloaded: {loaded}\nconsole:\n{console}"
            ));
        }
        Ok(())
    }

    /// Opens `link` (an address on the served page, or a path with its hash) as a new page load,
    /// as a reader opening a shared link does, not as a change of hash in the open page; waits
    /// until every figure has mounted.
    pub async fn open_fresh(&self, link: &str) -> Result<()> {
        let path = self
            .js(&format!(
                "const u = new URL({}, location.href); return u.pathname.slice({}) + u.search + u.hash;",
                json!(link),
                self.base_path().len()
            ))
            .await?;
        self.keep_hooked_errors().await?;
        self.client.goto("about:blank").await.map_err(err)?;
        self.goto(path.as_str().unwrap_or("/")).await
    }

    /// Stops the server behind the page: from now on every request to it fails, as for a
    /// reader who went offline.
    pub fn stop_serving(&mut self) {
        self.server.stop();
    }

    /// Every address the open page asked for: the document and each resource the browser's
    /// Resource Timing lists (a test that wants them all calls
    /// `performance.setResourceTimingBufferSize` first).
    pub async fn requests(&self) -> Result<Vec<String>> {
        let requests = self
            .js("return [performance.getEntriesByType('navigation')[0].name]
                   .concat(performance.getEntriesByType('resource').map((r) => r.name));")
            .await?;
        Ok(requests
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect())
    }

    /// The page's Content-Security-Policy (its `<meta>`), or an empty string if it has none.
    pub async fn policy(&self) -> Result<String> {
        let policy = self
            .js(
                "const m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]');
                 return m ? m.content : '';",
            )
            .await?;
        Ok(policy.as_str().unwrap_or_default().to_owned())
    }

    /// The requests of [`Page::requests`] that went to any other origin than the page's.
    pub async fn foreign_requests(&self) -> Result<Vec<String>> {
        let own = format!("{}/", self.base);
        let requests = self.requests().await?;
        if !requests.iter().any(|r| r.ends_with(".wasm")) {
            return Err(format!(
                "the record must see the page's own module: {requests:?}"
            ));
        }
        Ok(requests
            .into_iter()
            .filter(|r| !r.starts_with(&own))
            .collect())
    }

    /// The path the page is served under (empty at the root, such as `/spiega` in a folder).
    fn base_path(&self) -> &str {
        self.base
            .find("//")
            .and_then(|i| {
                self.base[i + 2..]
                    .find('/')
                    .map(|j| &self.base[i + 2 + j..])
            })
            .unwrap_or("")
    }

    /// Runs a ChromeDevTools command through ChromeDriver (Chromium only).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value> {
        if self.engine != Engine::Chromium {
            return Err(format!(
                "{cmd} needs Chromium's DevTools; this test runs in {}",
                self.engine.name()
            ));
        }
        self.client
            .issue_cmd(SessionCommand {
                path: "goog/cdp/execute",
                body: json!({ "cmd": cmd, "params": params }),
            })
            .await
            .map_err(err)
    }

    /// Makes the viewport exactly `width × height` CSS pixels (a phone when `mobile`, which only
    /// Chromium emulates). Other engines size the window so that its inside is that large.
    pub async fn set_viewport(&self, width: u32, height: u32, mobile: bool) -> Result<()> {
        if self.engine == Engine::Chromium || mobile {
            self.cdp(
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
            )
            .await?;
            return Ok(());
        }
        self.client
            .set_window_size(width, height)
            .await
            .map_err(err)?;
        let inside = self.js("return [innerWidth, innerHeight];").await?;
        let (w, h) = (
            inside[0].as_u64().unwrap_or(u64::from(width)),
            inside[1].as_u64().unwrap_or(u64::from(height)),
        );
        let grow = |want: u32, got: u64| {
            u32::try_from((2 * u64::from(want)).saturating_sub(got)).unwrap_or(want)
        };
        if (w, h) != (u64::from(width), u64::from(height)) {
            self.client
                .set_window_size(grow(width, w), grow(height, h))
                .await
                .map_err(err)?;
        }
        Ok(())
    }

    /// Runs JavaScript in the page and returns its value.
    pub async fn js(&self, script: &str) -> Result<Value> {
        self.client.execute(script, vec![]).await.map_err(err)
    }

    /// Waits until `condition` (a JavaScript expression) is true, for at most `seconds`.
    pub async fn wait_until(&self, condition: &str, seconds: u64) -> Result<()> {
        let start = Instant::now();
        loop {
            if self.js(&format!("return !!({condition});")).await? == Value::Bool(true) {
                return Ok(());
            }
            if start.elapsed() > Duration::from_secs(seconds) {
                return Err(format!("waited {seconds} s for: {condition}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// In WebKit, moves what the page-side hook has kept into `hooked` (before the page is left,
    /// and when the console is read), installing the hook where it is missing.
    async fn keep_hooked_errors(&self) -> Result<()> {
        if self.engine != Engine::WebKit {
            return Ok(());
        }
        let kept = self.js(ERROR_HOOK).await?;
        if let Ok(mut hooked) = self.hooked.lock() {
            hooked.extend(
                kept.as_array()
                    .into_iter()
                    .flatten()
                    .map(|m| m.as_str().unwrap_or("").to_owned()),
            );
        }
        Ok(())
    }

    /// Reads the console entries logged since the last read (each is handed out once), as
    /// `{level, message}` with errors at level `SEVERE`.
    async fn read_console(&self) -> Result<Vec<Value>> {
        if self.engine == Engine::WebKit {
            self.keep_hooked_errors().await?;
            let kept = self
                .hooked
                .lock()
                .map(|mut kept| std::mem::take(&mut *kept))
                .unwrap_or_default();
            return Ok(kept
                .into_iter()
                .map(|message| json!({ "level": "SEVERE", "message": message }))
                .collect());
        }
        if self.engine == Engine::Firefox {
            // The browser's output reaches the harness through pipes: a marker logged now and
            // read back shows that everything logged before it has arrived, and that the engine's
            // console is being read at all.
            static MARKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let mark = format!(
                "spiega-e2e console mark {}",
                MARKS.fetch_add(1, Ordering::SeqCst)
            );
            self.js(&format!("console.info({}); return 0;", json!(mark)))
                .await?;
            let start = Instant::now();
            let mut lines = Vec::new();
            while !lines.iter().any(|l: &String| l.contains(&mark)) {
                if start.elapsed() > Duration::from_secs(20) {
                    return Err(format!(
                        "{}'s console did not reach the harness within 20 s:\n{}",
                        self.engine.name(),
                        lines.join("\n")
                    ));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                lines.extend(self.driver.take_output());
            }
            return Ok(lines
                .into_iter()
                .filter(|line| !line.contains(&mark))
                .map(|line| {
                    let level = if self.engine.is_error_line(&line) {
                        "SEVERE"
                    } else {
                        "INFO"
                    };
                    json!({ "level": level, "message": line })
                })
                .collect());
        }
        let entries = self
            .client
            .issue_cmd(SessionCommand {
                path: "se/log",
                body: json!({ "type": "browser" }),
            })
            .await
            .map_err(err)?;
        Ok(entries.as_array().cloned().unwrap_or_default())
    }

    /// Reads new browser console entries; errors (SEVERE) are kept for [`Page::finish`].
    pub async fn collect_console(&mut self) -> Result<Vec<Value>> {
        let entries = self.read_console().await?;
        for e in &entries {
            if e["level"] == "SEVERE" {
                self.errors
                    .push(e["message"].as_str().unwrap_or("").to_owned());
            }
        }
        Ok(entries)
    }

    /// Everything the console has logged so far, one entry a line (for failure messages).
    async fn console_text(&self) -> Result<String> {
        Ok(self
            .read_console()
            .await?
            .iter()
            .map(|e| format!("{} {}", e["level"], e["message"]))
            .collect::<Vec<_>>()
            .join("\n"))
    }

    /// Fails if the browser logged any error since the page opened, or a figure shows that it
    /// could not start; then closes it.
    pub async fn finish(mut self) -> Result<()> {
        self.collect_console().await?;
        let mut errors = std::mem::take(&mut self.errors);
        let shown = self
            .js("return [...document.querySelectorAll('.figure-error')].map(e => e.textContent);")
            .await?;
        errors.extend(
            shown
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| format!("shown on the page: {}", e.as_str().unwrap_or(""))),
        );
        let _ = self.client.clone().close().await;
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the page reported errors (its console, or a figure that could not start):\n{}",
                errors.join("\n")
            ))
        }
    }

    /// A JSON value stored in an element's `data-state`.
    pub async fn state(&self, selector: &str) -> Result<Value> {
        let text = self
            .js(&format!(
                "return document.querySelector({}).dataset.state || '';",
                json!(selector)
            ))
            .await?;
        serde_json::from_str(text.as_str().unwrap_or(""))
            .map_err(|e| format!("data-state of {selector}: {e}"))
    }

    /// Waits until the `data-state` of `figure` satisfies `condition`, JavaScript on `s`
    /// (for example `"s.step >= 100"`), checking for at most `seconds`.
    pub async fn wait_state(&self, figure: &str, condition: &str, seconds: u64) -> Result<()> {
        self.wait_until(
            &format!(
                "(() => {{ const s = JSON.parse(document.querySelector({}).dataset.state || '{{}}'); return {condition}; }})()",
                json!(figure)
            ),
            seconds,
        )
        .await
    }

    /// Waits (at most 10 s) until `figure` has had its first sight: it came on screen and
    /// trained its first few frames (its `data-warm-up-ms` is written when they are drawn).
    pub async fn wait_warmed_up(&self, figure: &str) -> Result<()> {
        self.wait_until(
            &format!(
                "document.querySelector({}).dataset.warmUpMs !== undefined",
                json!(figure)
            ),
            10,
        )
        .await
    }

    /// For a test that measures from untrained runs: waits for `figure`'s first sight
    /// ([`Page::wait_warmed_up`]), checks that it trained something and waits paused (its
    /// `data-state` step count, `step` or `steps`, above zero; no button pressed), presses its
    /// Reset button and returns its state, which must count zero again.
    pub async fn reset_after_first_sight(&self, figure: &str) -> Result<Value> {
        self.wait_warmed_up(figure).await?;
        let count = |s: &Value| {
            s.get("step")
                .or_else(|| s.get("steps"))
                .and_then(Value::as_f64)
        };
        let seen = self.state(figure).await?;
        if count(&seen).is_none_or(|n| n <= 0.0) || seen["playing"] == json!(true) {
            return Err(format!(
                "{figure} did not show its first frames, paused: {seen}"
            ));
        }
        self.click_role(figure, "reset").await?;
        let start = self.state(figure).await?;
        if count(&start) != Some(0.0) {
            return Err(format!(
                "{figure}'s Reset did not return to untrained runs: {start}"
            ));
        }
        Ok(start)
    }

    /// Sets the control with `data-role="<role>"` inside `figure` as a reader would: a checkbox
    /// is ticked when `value` is `"true"`, anything else takes `value`; then `input` and `change`
    /// fire. Fails when there is no such control.
    pub async fn set_control(&self, figure: &str, role: &str, value: &str) -> Result<()> {
        let done = self
            .js(&format!(
                "const el = document.querySelector({});
                 if (!el) return false;
                 if (el.type === 'checkbox') {{ el.checked = {} === 'true'; }} else {{ el.value = {}; }}
                 el.dispatchEvent(new Event('input', {{ bubbles: true }}));
                 el.dispatchEvent(new Event('change', {{ bubbles: true }}));
                 return true;",
                json!(format!("{figure} [data-role=\"{role}\"]")),
                json!(value),
                json!(value)
            ))
            .await?;
        if done == Value::Bool(true) {
            Ok(())
        } else {
            Err(format!("no control {role} in {figure}"))
        }
    }

    /// Prints where `selector` lies on the page (top and height in CSS pixels), to find it in a
    /// full-page screenshot named `shot`.
    pub async fn print_place(&self, selector: &str, shot: &str) -> Result<()> {
        let place = self
            .js(&format!(
                "const r = document.querySelector({}).getBoundingClientRect();
                 return [Math.round(r.top + window.scrollY), Math.round(r.height)];",
                json!(selector)
            ))
            .await?;
        println!("{shot}: {selector} at {place}");
        Ok(())
    }

    /// Clicks the element with `data-role="<role>"` inside `figure` (usually a button).
    pub async fn click_role(&self, figure: &str, role: &str) -> Result<()> {
        self.click(&format!("{figure} [data-role=\"{role}\"]"))
            .await
    }

    /// Lets a playing comparison `figure` train until its state's `step` reaches `steps` (at most
    /// a minute), pauses it with its play button and returns the state.
    pub async fn train_to(&self, figure: &str, steps: u64) -> Result<Value> {
        self.pause_when(figure, "play", &format!("s.step >= {steps}"), 60)
            .await
    }

    /// Has the page itself press the button with the `data-role` `role` in the playing `figure`
    /// at the first `data-state` that satisfies `condition` (JavaScript on `s`), waiting at most
    /// `seconds`, and returns the paused state. The page watches the state change by change, so a run that
    /// trains quickly cannot reach its end between two looks from the test, where pressing Play
    /// would start it again from scratch. Fails if the run was not playing when the condition
    /// first held.
    pub async fn pause_when(
        &self,
        figure: &str,
        role: &str,
        condition: &str,
        seconds: u64,
    ) -> Result<Value> {
        self.js(&format!(
            "const fig = document.querySelector({figure});
             const button = fig.querySelector({button});
             window.spiegaPaused = null;
             const check = () => {{
               const s = JSON.parse(fig.dataset.state || '{{}}');
               if (!({condition})) return false;
               if (button.getAttribute('aria-pressed') === 'true') {{
                 button.click();
                 window.spiegaPaused = 'paused';
               }} else {{
                 window.spiegaPaused = 'not playing at step ' + s.step;
               }}
               return true;
             }};
             if (!check()) {{
               const watch = new MutationObserver(() => {{ if (check()) watch.disconnect(); }});
               watch.observe(fig, {{ attributes: true, attributeFilter: ['data-state'] }});
             }}
             return 0;",
            figure = json!(figure),
            button = json!(format!("[data-role=\"{role}\"]")),
        ))
        .await?;
        self.wait_until("window.spiegaPaused !== null", seconds)
            .await?;
        let outcome = self.js("return window.spiegaPaused;").await?;
        if outcome != "paused" {
            return Err(format!("{figure} when {condition}: {outcome}"));
        }
        self.state(figure).await
    }

    /// The theme the page shows: its `data-theme` and the page's background colour, so a test
    /// that takes screenshots "in the dark theme" can check that the page really shows it.
    pub async fn theme_shown(&self) -> Result<(String, String)> {
        let v = self
            .js("return [document.documentElement.dataset.theme || '', getComputedStyle(document.documentElement).backgroundColor];")
            .await?;
        let part = |i: usize| v[i].as_str().unwrap_or_default().to_owned();
        Ok((part(0), part(1)))
    }

    /// Saves `theme` as the reader's choice, opens `link` afresh, and returns the page's
    /// background colour; fails unless the page shows the saved theme.
    pub async fn open_in_theme(&self, theme: &str, link: &str) -> Result<String> {
        self.js(&format!(
            "localStorage.setItem('spiega-theme', {}); return 0;",
            json!(theme)
        ))
        .await?;
        self.open_fresh(link).await?;
        let (shown, background) = self.theme_shown().await?;
        if shown != theme {
            return Err(format!(
                "the saved {theme} theme was not applied at {link} (shown: {shown:?})"
            ));
        }
        Ok(background)
    }

    /// Presses the theme button until the page shows `theme` (`light` or `dark`) as the reader's
    /// choice, without reloading, and returns the page's background colour.
    pub async fn show_theme(&self, theme: &str) -> Result<String> {
        for _ in 0..3 {
            let (shown, background) = self.theme_shown().await?;
            if shown == theme {
                return Ok(background);
            }
            self.click("#theme-toggle").await?;
        }
        Err(format!("the theme button did not switch to {theme}"))
    }

    /// The visible elements cut by the window's left or right edge (partly in, partly out; one
    /// wholly outside, such as a skip link waiting for focus, is hidden on purpose), outside any
    /// box that scrolls or clips on its own (a wide equation or table). The page's body hides
    /// what is wider than the window, so the page's scroll width alone cannot tell.
    pub async fn wider_than_the_window(&self) -> Result<Value> {
        self.js(
            "const inner = window.innerWidth;
             const boxed = (el) => {
               for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
                 if (getComputedStyle(p).overflowX !== 'visible') return true;
               }
               return false;
             };
             return [...document.body.querySelectorAll('*')].filter((el) => {
               if (el.getClientRects().length === 0) return false;
               const r = el.getBoundingClientRect();
               if (r.width <= 1 || r.height <= 1 || getComputedStyle(el).opacity === '0') return false;
               const cut = (r.right > inner + 1 && r.left < inner) || (r.left < -1 && r.right > 0);
               return cut && !boxed(el);
             }).slice(0, 10).map((el) => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right));",
        )
        .await
    }

    /// Fails unless the page fits a window `width` pixels wide: the window kept that width (a
    /// too-wide element can widen a phone's layout viewport), nothing scrolls sideways, and no
    /// element is cut by the window's edge ([`Page::wider_than_the_window`]).
    pub async fn assert_fits(&self, width: u32) -> Result<()> {
        let sizes = self
            .js("return [window.innerWidth, document.documentElement.scrollWidth];")
            .await?;
        let (inner, scroll) = (sizes[0].as_f64(), sizes[1].as_f64());
        if inner != Some(f64::from(width)) {
            return Err(format!("the page widened the {width} px window: {sizes}"));
        }
        if scroll.is_none_or(|s| s > f64::from(width)) {
            return Err(format!("the page scrolls sideways at {width} px: {sizes}"));
        }
        let cut = self.wider_than_the_window().await?;
        if cut != json!([]) {
            return Err(format!("cut off by the edge of a {width} px window: {cut}"));
        }
        Ok(())
    }

    /// An element's text.
    pub async fn text(&self, selector: &str) -> Result<String> {
        self.client
            .find(Locator::Css(selector))
            .await
            .map_err(|e| format!("{selector}: {e}"))?
            .text()
            .await
            .map_err(err)
    }

    /// A fingerprint of a canvas's pixels (FNV-1a over its RGBA bytes), to tell whether it changed.
    pub async fn canvas_hash(&self, selector: &str) -> Result<u64> {
        let v = self
            .js(&format!(
                "const c = document.querySelector({});
                 if (!c || c.width === 0) return -1;
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                 let h = 2166136261 >>> 0;
                 for (let i = 0; i < d.length; i += 1) {{ h = Math.imul(h ^ d[i], 16777619) >>> 0; }}
                 return h;",
                json!(selector)
            ))
            .await?;
        v.as_i64()
            .filter(|h| *h >= 0)
            .map(|h| h as u64)
            .ok_or_else(|| format!("{selector} is not a drawn canvas"))
    }

    /// Checks that every canvas on show under `scope` has drawn something: more than one colour,
    /// so neither an untouched canvas nor a bare background passes. Fails naming the blank ones
    /// (by figure and role); returns how many canvases were checked.
    pub async fn assert_drawn(&self, scope: &str) -> Result<usize> {
        let found = self
            .js(&format!(
                "const shown = [], blank = [];
                 for (const c of document.querySelectorAll({})) {{
                   if (c.offsetParent === null || c.width === 0 || c.height === 0) continue;
                   const name = ((c.closest('[data-figure]') || {{}}).id || '?') + ' ' + (c.dataset.role || 'canvas');
                   shown.push(name);
                   const d = new Uint32Array(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.buffer);
                   if (d.every(p => p === d[0])) blank.push(name);
                 }}
                 return {{ shown, blank }};",
                json!(format!("{scope} canvas"))
            ))
            .await?;
        let blank = found["blank"].as_array().map_or(0, Vec::len);
        let shown = found["shown"].as_array().map_or(0, Vec::len);
        if blank > 0 {
            return Err(format!(
                "{scope}: blank canvases (one colour only) in {}: {}",
                self.engine.name(),
                found["blank"]
            ));
        }
        Ok(shown)
    }

    /// The RGBA colour of one canvas pixel, in canvas pixels from the top left.
    pub async fn canvas_pixel(&self, selector: &str, x: u32, y: u32) -> Result<[u8; 4]> {
        let v = self
            .js(&format!(
                "const d = document.querySelector({}).getContext('2d').getImageData({x}, {y}, 1, 1).data; return Array.from(d);",
                json!(selector)
            ))
            .await?;
        let a: Vec<u8> = v
            .as_array()
            .ok_or("no pixel")?
            .iter()
            .map(|x| x.as_u64().unwrap_or(0) as u8)
            .collect();
        a.try_into().map_err(|_| "not four channels".to_owned())
    }

    /// Sets a range input's value and fires `input`, as dragging it would.
    pub async fn set_slider(&self, selector: &str, value: f64) -> Result<()> {
        let found = self
            .js(&format!(
                "const el = document.querySelector({});
                 if (!el) return false;
                 el.value = {value};
                 el.dispatchEvent(new Event('input', {{ bubbles: true }}));
                 el.dispatchEvent(new Event('change', {{ bubbles: true }}));
                 return true;",
                json!(selector)
            ))
            .await?;
        if found == Value::Bool(true) {
            Ok(())
        } else {
            Err(format!("no slider {selector}"))
        }
    }

    /// Clicks an element as a reader would. On a wide screen the masthead stays at the top of the
    /// window, and WebDriver scrolls an element off screen to the window's top edge, under it: an
    /// element off screen or under the masthead is first scrolled to the middle of the window, as
    /// a reader scrolls to see a button before pressing it.
    pub async fn click(&self, selector: &str) -> Result<()> {
        self.js(&format!(
            "const el = document.querySelector({});
             if (el && !el.closest('.masthead')) {{
               const r = el.getBoundingClientRect();
               const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
               const bar = document.querySelector('.masthead');
               const below = bar ? bar.getBoundingClientRect().bottom : 0;
               if (!hit || hit.closest('.masthead') || r.top < below + 4 || r.bottom > innerHeight - 4)
                 el.scrollIntoView({{ block: 'center', behavior: 'instant' }});
             }}
             return 0;",
            json!(selector)
        ))
        .await?;
        self.client
            .find(Locator::Css(selector))
            .await
            .map_err(|e| format!("{selector}: {e}"))?
            .click()
            .await
            .map_err(|e| format!("clicking {selector}: {e}"))
    }

    /// Focuses an element and types keys into it (e.g. `"\u{E014}"` for the right arrow).
    pub async fn keys(&self, selector: &str, keys: &str) -> Result<()> {
        self.client
            .find(Locator::Css(selector))
            .await
            .map_err(|e| format!("{selector}: {e}"))?
            .send_keys(keys)
            .await
            .map_err(|e| format!("typing into {selector}: {e}"))
    }

    /// Saves a screenshot of the whole page under `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": true }),
            )
            .await?;
        save_screenshot(&shot, name)
    }

    /// Saves a screenshot of what the window shows, not the whole page, under
    /// `target/screenshots/<name>.png`: quick where a test takes many as it scrolls.
    pub async fn window_screenshot(&self, name: &str) -> Result<PathBuf> {
        let shot = self
            .cdp("Page.captureScreenshot", json!({ "format": "png" }))
            .await?;
        save_screenshot(&shot, name)
    }

    /// Saves a screenshot of the first element matching `selector` (scrolled or not) under
    /// `target/screenshots/<name>.png`. An element wholly in the window is taken from what the
    /// window shows; one beyond it makes the browser lay out the whole page at once for the
    /// picture, which costs about a second, and redraws every figure as the window changes size.
    pub async fn element_screenshot(&self, selector: &str, name: &str) -> Result<PathBuf> {
        let rect = self
            .js(&format!(
                "const r = document.querySelector({}).getBoundingClientRect();
                 const inside = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
                 return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height, inside ? 1 : 0];",
                json!(selector)
            ))
            .await?;
        let r: Vec<f64> = rect
            .as_array()
            .ok_or_else(|| format!("no element {selector}"))?
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        let [x, y, width, height, inside] = r[..] else {
            return Err(format!("no rectangle for {selector}"));
        };
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": inside == 0.0,
                    "clip": { "x": x, "y": y, "width": width, "height": height, "scale": 1 } }),
            )
            .await?;
        save_screenshot(&shot, name)
    }

    /// Lets the page's downloads (links with a `download` name) land in `dir`, as a reader's
    /// browser saves them.
    pub async fn allow_downloads(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(err)?;
        let path = dir.display().to_string();
        let browser = self
            .cdp(
                "Browser.setDownloadBehavior",
                json!({ "behavior": "allow", "downloadPath": path, "eventsEnabled": true }),
            )
            .await;
        if browser.is_err() {
            self.cdp(
                "Page.setDownloadBehavior",
                json!({ "behavior": "allow", "downloadPath": path }),
            )
            .await?;
        }
        Ok(())
    }
}

/// Writes the PNG of a DevTools `Page.captureScreenshot` answer under
/// `target/screenshots/<name>.png`.
fn save_screenshot(shot: &Value, name: &str) -> Result<PathBuf> {
    let data = shot["data"].as_str().ok_or("no screenshot data")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(err)?;
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).map_err(err)?;
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, bytes).map_err(err)?;
    Ok(path)
}

/// Waits at most `seconds` for the download `name` to be complete in `dir`, and reads it.
pub fn downloaded(dir: &Path, name: &str, seconds: u64) -> Result<Vec<u8>> {
    let path = dir.join(name);
    let partial = dir.join(format!("{name}.crdownload"));
    let start = Instant::now();
    loop {
        if path.exists() && !partial.exists() {
            let bytes = std::fs::read(&path).map_err(err)?;
            if !bytes.is_empty() {
                return Ok(bytes);
            }
        }
        if start.elapsed() > Duration::from_secs(seconds) {
            let found: Vec<String> = std::fs::read_dir(dir)
                .map(|d| {
                    d.filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            return Err(format!(
                "no download {name} after {seconds} s; found {found:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs an async test body on a fresh runtime, turning its error into a panic with the message.
pub fn run(body: impl std::future::Future<Output = Result<()>>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(err);
    let result = rt.and_then(|rt| rt.block_on(body));
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// The number at `key` of a figure's state. A missing key or a value that is not a number
/// fails the test at once, naming the key and showing the state: a comparison can never pass
/// because both sides were missing.
pub fn num(state: &Value, key: &str) -> f64 {
    match state[key].as_f64() {
        Some(v) => v,
        None => panic!("the state has no number \"{key}\": {state}"),
    }
}

/// The `runs` of a comparison figure's state; a state without runs fails the test.
pub fn runs(state: &Value) -> Vec<Value> {
    match state["runs"].as_array() {
        Some(runs) if !runs.is_empty() => runs.clone(),
        _ => panic!("the state has no runs: {state}"),
    }
}

/// Asserts that every run of a comparison moved between the states `start` and `end`: both have
/// the same, non-zero number of runs, and each has more than two recorded points and training and
/// validation losses that both changed.
pub fn assert_every_run_moved(start: &Value, end: &Value) {
    let (before, after) = (runs(start), runs(end));
    assert_eq!(before.len(), after.len(), "{start} → {end}");
    for (a, b) in before.iter().zip(after.iter()) {
        assert!(num(b, "points") > 2.0, "{b}");
        assert_ne!(num(a, "trainLoss"), num(b, "trainLoss"), "{a} → {b}");
        assert_ne!(
            num(a, "validationLoss"),
            num(b, "validationLoss"),
            "{a} → {b}"
        );
    }
}
