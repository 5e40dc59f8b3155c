//! A small blocking HTTP/1.1 server: one thread per connection, one request per connection.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::model::{FaultAction, Request};
use crate::route;
use crate::state::Shared;
use crate::wire::{HttpRequest, Response, header};

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Accept loop; returns when the org is dropped.
pub(crate) fn serve(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let shared = Arc::clone(&shared);
        let _ = std::thread::Builder::new()
            .name("simorg-conn".into())
            .spawn(move || handle_connection(stream, &shared));
    }
}

/// Counts a connection as in flight while it lives.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        shared.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn handle_connection(mut stream: TcpStream, shared: &Shared) {
    let _in_flight = InFlight::enter(shared);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let req = match read_request(&mut stream) {
        Ok(Some(req)) => req,
        Ok(None) => return,
        Err(_) => {
            let resp = Response::new(400, "text/plain", "bad request");
            let _ = write_response(&mut stream, &resp);
            return;
        }
    };
    if shared.stop.load(Ordering::SeqCst) {
        return;
    }
    let op = route::classify(&req);
    let action = {
        let mut st = shared.lock();
        st.log.push(Request {
            op,
            method: req.method.clone(),
            path: req.target.clone(),
            body: req.body.clone(),
            headers: req.headers.clone(),
        });
        let hit = st
            .faults
            .iter_mut()
            .find(|f| f.times > 0 && f.op.is_none_or(|o| o == op));
        let action = hit.map(|f| {
            f.times -= 1;
            f.action.clone()
        });
        st.faults.retain(|f| f.times > 0);
        action
    };
    let resp = match action {
        Some(FaultAction::Respond {
            status,
            content_type,
            body,
        }) => Response::new(status, &content_type, body),
        Some(FaultAction::Drop) => {
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
        Some(FaultAction::ApplyThenDrop) => {
            let _ = route::dispatch(shared, &req, op);
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
        Some(FaultAction::Delay(d)) => {
            std::thread::sleep(d);
            route::dispatch(shared, &req, op)
        }
        None => route::dispatch(shared, &req, op),
    };
    let _ = write_response(&mut stream, &resp);
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n")
}

/// Reads one request; `Ok(None)` when the peer closed without sending anything.
fn read_request(stream: &mut TcpStream) -> io::Result<Option<HttpRequest>> {
    let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_string());
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(pos) = find_head_end(&buf) {
            break pos;
        }
        if buf.len() > MAX_HEAD {
            return Err(bad("header too large"));
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(bad("truncated head"))
            };
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut rest = buf[head_end + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().ok_or_else(|| bad("no request line"))?;
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(bad("bad request line"));
    };
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = header(&headers, "transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        read_chunked(stream, rest)?
    } else {
        let len: usize = match header(&headers, "content-length") {
            Some(v) => v.trim().parse().map_err(|_| bad("bad content-length"))?,
            None => 0,
        };
        if len > MAX_BODY {
            return Err(bad("body too large"));
        }
        while rest.len() < len {
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                return Err(bad("truncated body"));
            }
            rest.extend_from_slice(&chunk[..n]);
        }
        rest.truncate(len);
        rest
    };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (target.to_string(), None),
    };
    Ok(Some(HttpRequest {
        method: method.to_string(),
        target: target.to_string(),
        path,
        query,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        arrived: std::time::Instant::now(),
    }))
}

fn read_chunked(stream: &mut TcpStream, mut buf: Vec<u8>) -> io::Result<Vec<u8>> {
    let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_string());
    let mut chunk = [0u8; 8192];
    let mut body = Vec::new();
    let mut fill = |buf: &mut Vec<u8>| -> io::Result<()> {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(bad("truncated chunked body"));
        }
        buf.extend_from_slice(&chunk[..n]);
        Ok(())
    };
    loop {
        let line_end = loop {
            if let Some(p) = buf.windows(2).position(|w| w == b"\r\n") {
                break p;
            }
            fill(&mut buf)?;
        };
        let size_line = String::from_utf8_lossy(&buf[..line_end]).into_owned();
        let size_hex = size_line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| bad("bad chunk size"))?;
        buf.drain(..line_end + 2);
        if size == 0 {
            // Skip trailers up to the final empty line.
            while !buf.windows(2).any(|w| w == b"\r\n") {
                fill(&mut buf)?;
            }
            return Ok(body);
        }
        if body.len() + size > MAX_BODY {
            return Err(bad("body too large"));
        }
        while buf.len() < size + 2 {
            fill(&mut buf)?;
        }
        body.extend_from_slice(&buf[..size]);
        buf.drain(..size + 2);
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn write_response(stream: &mut TcpStream, resp: &Response) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        resp.status,
        reason(resp.status),
        resp.content_type,
        resp.body.len()
    );
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // Head and body apart: a big body (a listing of 100,000 records) is not copied again.
    stream.write_all(head.as_bytes())?;
    stream.write_all(resp.body.as_bytes())?;
    stream.flush()?;
    let _ = stream.shutdown(Shutdown::Write);
    Ok(())
}
