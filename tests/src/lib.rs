//! The end-to-end harness: serves the built page on loopback, starts ChromeDriver and a headless
//! Chromium, and gives tests a [`Page`] to drive like a reader.
//!
//! The page under test is the release build in `SPIEGA_DIST` (set by `cargo xtask test`), or
//! `target/e2e-dist`. Every [`Page`] collects the browser's console; [`Page::finish`] fails the
//! test on any error logged while it ran.

use base64::Engine as _;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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
pub struct StaticServer {
    stop: Arc<AtomicBool>,
    port: u16,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The address pages are served at, e.g. `http://127.0.0.1:41234` or
    /// `http://127.0.0.1:41234/spiega`.
    pub base: String,
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
        _ => "application/octet-stream",
    }
}

/// Reads one request from `stream` and answers with the file it names under `dir`, served at the
/// path `prefix` (which starts and ends with `/`), or 404.
fn respond(dir: &Path, prefix: &str, mut stream: TcpStream) {
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
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let (inside, rel) = match path.strip_prefix(prefix) {
        Some(rel) => (!rel.split('/').any(|p| p == ".."), rel),
        None => (false, ""),
    };
    let rel = if rel.is_empty() { "index.html" } else { rel };
    let file = dir.join(rel);
    let (status, kind, body) = match (inside, std::fs::read(&file)) {
        (true, Ok(bytes)) => ("200 OK", mime(&file), bytes),
        _ => ("404 Not Found", "text/plain", b"not found".to_vec()),
    };
    let header = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
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
        let dir = dir.to_path_buf();
        let flag = Arc::clone(&stop);
        let served = prefix.to_owned();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let (dir, served) = (dir.clone(), served.clone());
                    std::thread::spawn(move || respond(&dir, &served, stream));
                }
            }
        });
        Ok(Self {
            stop,
            port,
            thread: Some(thread),
            base: format!("http://127.0.0.1:{port}{}", prefix.trim_end_matches('/')),
        })
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A ChromeDriver process, killed when dropped.
pub struct Driver {
    child: Child,
    /// Its WebDriver address.
    pub url: String,
}

impl Driver {
    /// Starts `/usr/bin/chromedriver` (or `CHROMEDRIVER`) on a free port and waits until it listens.
    pub fn start() -> Result<Self> {
        let port = free_port()?;
        let program =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let child = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start {program}: {e} (run `cargo xtask setup`)"))?;
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(20) {
                return Err("chromedriver did not start listening within 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
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
    errors: Vec<String>,
    _profile: TempDir,
    _server: StaticServer,
    _driver: Driver,
}

/// A temporary folder removed when dropped (the browser's profile).
struct TempDir(PathBuf);

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

    /// Opens `path` of the page that `server` serves (see [`Page::open`]).
    async fn open_on(server: StaticServer, path: &str, width: u32, height: u32) -> Result<Self> {
        let driver = Driver::start()?;
        let profile = std::env::temp_dir().join(format!(
            "spiega-e2e-{}-{}",
            std::process::id(),
            free_port()?
        ));
        let caps = json!({
            "goog:chromeOptions": {
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--hide-scrollbars", "--force-device-scale-factor=1",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.display()),
                ]
            },
            "goog:loggingPrefs": { "browser": "ALL" }
        });
        let caps = match caps {
            Value::Object(m) => m,
            _ => return Err("capabilities".into()),
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .map_err(|e| format!("could not start Chromium through chromedriver: {e}"))?;
        let page = Self {
            client,
            base: server.base.clone(),
            errors: Vec::new(),
            _profile: TempDir(profile),
            _server: server,
            _driver: driver,
        };
        page.set_viewport(width, height, false).await?;
        page.goto(path).await?;
        Ok(page)
    }

    /// Navigates to `path` on the served page and waits until every figure has mounted.
    pub async fn goto(&self, path: &str) -> Result<()> {
        self.client
            .goto(&format!("{}{}", self.base, path))
            .await
            .map_err(err)?;
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

    /// Runs a ChromeDevTools command through ChromeDriver.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Result<Value> {
        self.client
            .issue_cmd(SessionCommand {
                path: "goog/cdp/execute",
                body: json!({ "cmd": cmd, "params": params }),
            })
            .await
            .map_err(err)
    }

    /// Makes the viewport exactly `width × height` CSS pixels (a phone when `mobile`).
    pub async fn set_viewport(&self, width: u32, height: u32, mobile: bool) -> Result<()> {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        )
        .await?;
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

    /// Reads the console entries logged since the last read (ChromeDriver hands each out once).
    async fn read_console(&self) -> Result<Vec<Value>> {
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

    /// Fails if the browser logged any error since the page opened; then closes it.
    pub async fn finish(mut self) -> Result<()> {
        self.collect_console().await?;
        let errors = std::mem::take(&mut self.errors);
        let _ = self.client.clone().close().await;
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the browser console reported errors:\n{}",
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
        self.wait_state(figure, &format!("s.step >= {steps}"), 60)
            .await?;
        self.click_role(figure, "play").await?;
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

    /// Clicks an element as a reader would.
    pub async fn click(&self, selector: &str) -> Result<()> {
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

    /// Saves a screenshot of the first element matching `selector` (scrolled or not) under
    /// `target/screenshots/<name>.png`.
    pub async fn element_screenshot(&self, selector: &str, name: &str) -> Result<PathBuf> {
        let rect = self
            .js(&format!(
                "const r = document.querySelector({}).getBoundingClientRect();
                 return [r.left + window.scrollX, r.top + window.scrollY, r.width, r.height];",
                json!(selector)
            ))
            .await?;
        let r: Vec<f64> = rect
            .as_array()
            .ok_or_else(|| format!("no element {selector}"))?
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        let [x, y, width, height] = r[..] else {
            return Err(format!("no rectangle for {selector}"));
        };
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": true,
                    "clip": { "x": x, "y": y, "width": width, "height": height, "scale": 1 } }),
            )
            .await?;
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
