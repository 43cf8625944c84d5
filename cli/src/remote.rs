//! `cupcake eval --server URL`: the hook asks a `cupcake serve` instead of loading policies.
//! Everything short of a well-formed answer from the server — refused connection, timeout,
//! an error status, a body of the wrong shape, an answer for another harness — is a failure,
//! and hook mode turns failures into its blocking response.

use std::io::Read as _;
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use axum::http::Uri;
use cupcake::{Harness, Reply};
use serde_json::Value;

/// The largest answer read from the server; a decision is a few kilobytes.
const MAX_ANSWER_BYTES: u64 = 4 << 20;

/// Where to ask, and with which token.
pub(crate) struct Server {
    url: String,
    token: Option<String>,
}

impl Server {
    /// Checks the URL and reads the token. Off the machine only `https://` is accepted: over
    /// plain http anyone on the path could answer "allow" (and read a token). Loopback means a
    /// literal address; a name such as `localhost` goes through the resolver, which
    /// environment variables an agent sets (`HOSTALIASES`, `RES_OPTIONS`) can steer.
    pub(crate) fn new(base: &str, token_file: Option<&Path>) -> Result<Self, String> {
        let uri: Uri = base
            .parse()
            .map_err(|err| format!("--server `{base}` is not a URL ({err})"))?;
        let scheme = uri.scheme_str().unwrap_or_default();
        let host = uri.host().unwrap_or_default();
        if scheme != "http" && scheme != "https" {
            return Err(format!(
                "--server `{base}` must start with http:// or https://"
            ));
        }
        let token = token_file.map(read_token).transpose()?;
        if scheme == "http" && !is_loopback(host) {
            return Err(format!(
                "--server `{base}` is plain http to another machine, where anyone on the path \
                 could answer for the server; use https:// (TLS at the load balancer), or \
                 http://127.0.0.1 for a server on this machine"
            ));
        }
        Ok(Self {
            url: format!("{}/v1/evaluate", base.trim_end_matches('/')),
            token,
        })
    }

    /// Sends `event` and returns the server's answer, within `timeout`.
    pub(crate) fn decide(
        &self,
        harness: Harness,
        event: &Value,
        timeout: Duration,
    ) -> Result<Reply, String> {
        let body = serde_json::json!({ "harness": harness.dir_name(), "event": event });
        let mut request = agent(timeout)
            .post(&self.url)
            .header("content-type", "application/json");
        if let Some(token) = &self.token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let mut answer = request
            .send(body.to_string())
            .map_err(|err| format!("the decision server at {} did not answer ({err})", self.url))?;
        let status = answer.status();
        let mut text = String::new();
        answer
            .body_mut()
            .as_reader()
            .take(MAX_ANSWER_BYTES)
            .read_to_string(&mut text)
            .map_err(|err| format!("cannot read the decision server's answer ({err})"))?;
        if status != 200 {
            return Err(format!(
                "the decision server answered {status}: {}",
                server_message(&text)
            ));
        }
        reply(harness, &text)
    }
}

/// The hook's reply in the server's 200 answer, after checking every field it is made of.
fn reply(harness: Harness, text: &str) -> Result<Reply, String> {
    let shape =
        |what: &str| format!("the decision server's answer {what}; is --server a cupcake server?");
    let answer: Value = serde_json::from_str(text).map_err(|_| shape("is not JSON"))?;
    if answer.get("harness").and_then(Value::as_str) != Some(harness.dir_name()) {
        return Err(shape(&format!("is not for {}", harness.dir_name())));
    }
    let response = answer
        .get("response")
        .filter(|response| response.is_object())
        .ok_or_else(|| shape("has no response object"))?;
    let stderr = answer
        .get("stderr")
        .and_then(Value::as_str)
        .ok_or_else(|| shape("has no stderr text"))?;
    let exit_code = answer
        .get("exit_code")
        .and_then(Value::as_i64)
        .and_then(|code| i32::try_from(code).ok())
        .filter(|code| (0..=255).contains(code))
        .ok_or_else(|| shape("has no exit code from 0 to 255"))?;
    Ok(Reply {
        response: response.clone(),
        stderr: stderr.to_string(),
        exit_code,
    })
}

/// The `error.message` of a cupcake error body, else the start of the body.
fn server_message(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|body| body["error"]["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| text.chars().take(200).collect())
}

fn read_token(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read the token file {} ({err})", path.display()))?;
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .ok_or_else(|| format!("the token file {} holds no token", path.display()))
}

/// A literal loopback address (`127.0.0.1`, `[::1]`).
pub(crate) fn is_loopback(host: &str) -> bool {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Every setting fixed here: no proxy from the environment (an agent can set `HTTP_PROXY` and
/// answer the hook itself), no redirects (the token goes to the configured server only).
fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(None)
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .user_agent(concat!("cupcake/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_only_complete_answers_for_the_harness() {
        let good = r#"{"harness":"claude","response":{"continue":true},"stderr":"","exit_code":0}"#;
        assert_eq!(reply(Harness::Claude, good).map(|r| r.exit_code), Ok(0));
        for bad in [
            "not json",
            r#"{"harness":"cursor","response":{},"stderr":"","exit_code":0}"#,
            r#"{"harness":"claude","response":"allow","stderr":"","exit_code":0}"#,
            r#"{"harness":"claude","response":{},"exit_code":0}"#,
            r#"{"harness":"claude","response":{},"stderr":"","exit_code":256}"#,
            r#"{"harness":"claude","response":{},"stderr":""}"#,
        ] {
            assert!(reply(Harness::Claude, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn accepts_plain_http_for_loopback_addresses_only() -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|err| err.to_string())?;
        let tokens = dir.path().join("token");
        std::fs::write(&tokens, "# comment\n0123456789abcdef\n").map_err(|err| err.to_string())?;
        assert!(Server::new("http://decide.example:8410", Some(&tokens)).is_err());
        assert!(Server::new("https://decide.example", Some(&tokens)).is_ok());
        assert!(Server::new("http://127.0.0.1:8410", Some(&tokens)).is_ok());
        assert!(Server::new("http://[::1]:8410", Some(&tokens)).is_ok());
        assert!(Server::new("http://decide.example:8410", None).is_err());
        assert!(Server::new("http://localhost:8410", None).is_err());
        assert!(Server::new("ftp://decide.example", None).is_err());
        let server = Server::new("http://127.0.0.1:1/", Some(&tokens))?;
        assert_eq!(server.url, "http://127.0.0.1:1/v1/evaluate");
        assert_eq!(server.token.as_deref(), Some("0123456789abcdef"));
        Ok(())
    }
}
