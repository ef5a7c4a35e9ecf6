//! Live reload: a hub of server-sent-event streams, and the script served pages load.
//! The script is injected only into pages served by `runbook serve`, never written to disk.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Path of the event stream.
pub const EVENTS_PATH: &str = "/__runbook/events";
/// Path of the reload script.
pub const SCRIPT_PATH: &str = "/__runbook/livereload.js";

/// What open pages are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// The site was rebuilt: reload, keeping the scroll position.
    Reload,
    /// The build failed: show this text (file and line first) in an overlay.
    Error(String),
}

impl Message {
    /// The message as one SSE event.
    pub fn to_event(&self) -> String {
        match self {
            Message::Reload => "event: reload\ndata: {}\n\n".to_owned(),
            Message::Error(text) => {
                let json =
                    serde_json::to_string(text).unwrap_or_else(|_| "\"build failed\"".to_owned());
                format!("event: build-error\ndata: {json}\n\n")
            }
        }
    }
}

/// Every connected page, as a channel into its event stream.
#[derive(Clone, Default)]
pub struct Hub {
    clients: Arc<Mutex<Vec<Sender<String>>>>,
    last_error: Arc<Mutex<Option<Message>>>,
}

impl Hub {
    /// A new stream for one page. A page that connects while the build is broken is told at once.
    pub fn subscribe(&self) -> EventStream {
        let (tx, rx) = channel();
        let _ = tx.send(": connected\n\n".to_owned());
        if let Some(error) = self.last_error.lock().map(|e| e.clone()).unwrap_or(None) {
            let _ = tx.send(error.to_event());
        }
        if let Ok(mut clients) = self.clients.lock() {
            clients.push(tx);
        }
        EventStream { rx }
    }

    /// Sends to every page; pages that went away are dropped.
    pub fn broadcast(&self, message: &Message) {
        if let Ok(mut last) = self.last_error.lock() {
            *last = matches!(message, Message::Error(_)).then(|| message.clone());
        }
        let event = message.to_event();
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain(|tx| tx.send(event.clone()).is_ok());
        }
    }

    /// Number of connected pages.
    pub fn len(&self) -> usize {
        self.clients.lock().map_or(0, |c| c.len())
    }

    /// True when no page is connected.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The events of one page, in order.
pub struct EventStream {
    rx: Receiver<String>,
}

impl EventStream {
    /// The next event to send, waiting at most 15 s (then a comment that keeps proxies and
    /// the browser from closing the connection); `None` once the hub is gone.
    pub fn next_event(&self) -> Option<String> {
        match self.rx.recv_timeout(Duration::from_secs(15)) {
            Ok(event) => Some(event),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Some(": ping\n\n".to_owned()),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => None,
        }
    }
}

/// The script pages load: reconnecting event source, scroll position kept across reloads,
/// an overlay for build errors.
pub const SCRIPT: &str = r#"(function () {
  "use strict";
  var key = "runbook-serve-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.addEventListener("load", function () { window.scrollTo(0, parseInt(saved, 10) || 0); });
  }
  function overlay(text) {
    var box = document.getElementById("runbook-serve-error");
    if (!box) {
      box = document.createElement("pre");
      box.id = "runbook-serve-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;max-height:50vh;overflow:auto;z-index:99999;" +
        "margin:0;padding:1rem;background:#2b0000;color:#ffd7d7;border:2px solid #ff6b6b;border-radius:6px;" +
        "font:13px/1.4 ui-monospace,monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "runbook build failed\n\n" + text;
  }
  var source = new EventSource("/__runbook/events");
  source.addEventListener("reload", function () {
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  });
  source.addEventListener("build-error", function (e) {
    try { overlay(JSON.parse(e.data)); } catch (err) { overlay(String(e.data)); }
  });
})();
"#;

/// Adds the reload script to an HTML page (before `</body>`, or at the end).
pub fn inject(html: &str) -> String {
    let tag = format!("<script src=\"{SCRIPT_PATH}\"></script>");
    match html.rfind("</body>") {
        Some(at) => format!("{}{tag}{}", &html[..at], &html[at..]),
        None => format!("{html}{tag}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_reach_subscribers_and_errors_replay_to_new_pages() {
        let hub = Hub::default();
        let stream = hub.subscribe();
        hub.broadcast(&Message::Error("content/a.md:3: bad".into()));
        assert_eq!(stream.next_event().unwrap(), ": connected\n\n");
        assert_eq!(
            stream.next_event().unwrap(),
            "event: build-error\ndata: \"content/a.md:3: bad\"\n\n"
        );
        let late = hub.subscribe();
        late.next_event();
        assert!(late.next_event().unwrap().starts_with("event: build-error"));
        hub.broadcast(&Message::Reload);
        assert_eq!(stream.next_event().unwrap(), "event: reload\ndata: {}\n\n");
        drop(stream);
        drop(late);
        hub.broadcast(&Message::Reload);
        assert!(hub.is_empty(), "gone pages are dropped");
    }

    #[test]
    fn injects_before_body_end() {
        assert_eq!(
            inject("<body>x</body>"),
            "<body>x<script src=\"/__runbook/livereload.js\"></script></body>"
        );
        assert!(inject("x").ends_with("</script>"));
    }
}
