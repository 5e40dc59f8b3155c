//! A corporate network in miniature: a test CA generated on the spot (rcgen, ring), a TLS front
//! that puts a simulated org behind HTTPS with a certificate of that CA, and an HTTP CONNECT
//! proxy that logs the tunnels it opens.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection};

use crate::common::*;

/// A certificate authority made for one test.
pub struct TestCa {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// A server certificate and its private key.
pub struct ServerCert {
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

impl TestCa {
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("CA key");
        let pem = params.self_signed(&key).expect("CA certificate").pem();
        TestCa {
            pem,
            issuer: Issuer::new(params, key),
        }
    }

    /// Writes the CA certificate (PEM) to `dir/name` and returns its path.
    pub fn write_pem(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, &self.pem).expect("write CA file");
        path
    }

    /// A server certificate for `names` (DNS names or IP addresses); `expired`: its validity
    /// ended in 2001.
    pub fn server_cert(&self, names: &[&str], expired: bool) -> ServerCert {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).expect("server params");
        params.distinguished_name.push(DnType::CommonName, "simorg");
        if expired {
            params.not_before = rcgen::date_time_ymd(2000, 1, 1);
            params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        }
        let key = KeyPair::generate().expect("server key");
        let cert = params.signed_by(&key, &self.issuer).expect("sign");
        ServerCert {
            cert: cert.der().clone(),
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }
}

/// A TLS-terminating front on `127.0.0.1` that forwards the plain bytes to an upstream port.
pub struct TlsFront {
    listener: TcpListener,
    connections: Arc<AtomicUsize>,
}

impl TlsFront {
    /// Binds the front's port (so the org can advertise it before the front serves).
    pub fn bind() -> Self {
        TlsFront {
            listener: TcpListener::bind("127.0.0.1:0").expect("bind front"),
            connections: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().expect("front addr").port()
    }

    /// Serves TLS with `cert`, forwarding to `127.0.0.1:upstream`; returns the count of
    /// connections accepted (TLS handshakes tried).
    pub fn serve(self, cert: ServerCert, upstream: u16) -> Arc<AtomicUsize> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(vec![cert.cert], cert.key)
            .expect("server config");
        let config = Arc::new(config);
        let connections = Arc::clone(&self.connections);
        std::thread::spawn(move || {
            for client in self.listener.incoming().flatten() {
                self.connections.fetch_add(1, Ordering::SeqCst);
                let config = Arc::clone(&config);
                std::thread::spawn(move || {
                    let _ = terminate(client, config, upstream);
                });
            }
        });
        connections
    }
}

/// One connection: TLS with the client, plain bytes with the upstream, both ways at once. The
/// rustls state is shared under a lock that no thread holds while it waits for a socket to read.
fn terminate(client: TcpStream, config: Arc<ServerConfig>, upstream: u16) -> io::Result<()> {
    let tls = Arc::new(Mutex::new(
        ServerConnection::new(config).map_err(io::Error::other)?,
    ));
    let upstream = TcpStream::connect(("127.0.0.1", upstream))?;
    let (mut client_in, mut client_out) = (client.try_clone()?, client.try_clone()?);
    let (mut upstream_in, mut upstream_out) = (upstream.try_clone()?, upstream);

    let back = {
        let tls = Arc::clone(&tls);
        std::thread::spawn(move || -> io::Result<()> {
            let mut buf = [0u8; 16 * 1024];
            loop {
                let n = upstream_in.read(&mut buf)?;
                let mut tls = tls.lock().expect("tls lock");
                if n == 0 {
                    tls.send_close_notify();
                } else {
                    tls.writer().write_all(&buf[..n])?;
                }
                while tls.wants_write() {
                    tls.write_tls(&mut client_out)?;
                }
                if n == 0 {
                    return client_out.shutdown(Shutdown::Write);
                }
            }
        })
    };

    let forwarded = forward(&tls, &mut client_in, &mut upstream_out);
    // Either way the org sees the end of the request stream, ends its side, and so `back`.
    let _ = upstream_out.shutdown(Shutdown::Write);
    let _ = back.join();
    forwarded
}

/// Client to upstream: TLS records in, plain bytes out (handshake answers go back to the client).
fn forward(
    tls: &Mutex<ServerConnection>,
    client_in: &mut TcpStream,
    upstream_out: &mut TcpStream,
) -> io::Result<()> {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = client_in.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let mut plain = Vec::new();
        {
            let mut tls = tls.lock().expect("tls lock");
            let mut rest = &buf[..n];
            while !rest.is_empty() {
                tls.read_tls(&mut rest)?;
                let state = tls.process_new_packets();
                while tls.wants_write() {
                    tls.write_tls(client_in)?;
                }
                // A handshake the client refused (e.g. an untrusted certificate) ends here.
                state.map_err(io::Error::other)?;
                let mut chunk = [0u8; 16 * 1024];
                loop {
                    match tls.reader().read(&mut chunk) {
                        Ok(0) => break,
                        Ok(k) => plain.extend_from_slice(&chunk[..k]),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        upstream_out.write_all(&plain)?;
    }
    Ok(())
}

/// An HTTP proxy that only tunnels (CONNECT), as corporate proxies do for HTTPS.
pub struct ConnectProxy {
    pub port: u16,
    tunnels: Arc<Mutex<Vec<String>>>,
}

/// What the proxy does with a CONNECT.
#[derive(Clone)]
enum Gate {
    /// Opens the tunnel; with `Some(base64 of user:password)`, only for that login (else 407).
    Open(Option<String>),
    /// Answers with this status line and opens nothing (a proxy's policy).
    Refuse(&'static str),
}

impl ConnectProxy {
    pub fn start() -> Self {
        Self::start_with_login(None)
    }

    /// A proxy that answers 407 to a CONNECT without `Proxy-Authorization: Basic` of `login`
    /// (`user:password`). Refused CONNECTs are logged too.
    pub fn start_with_login(login: Option<&str>) -> Self {
        Self::start_gate(Gate::Open(login.map(|l| BASE64.encode(l))))
    }

    /// A proxy that answers every CONNECT with `status` (e.g. `403 Forbidden`).
    pub fn refusing(status: &'static str) -> Self {
        Self::start_gate(Gate::Refuse(status))
    }

    fn start_gate(gate: Gate) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("proxy addr").port();
        let tunnels = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&tunnels);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let log = Arc::clone(&log);
                let gate = gate.clone();
                std::thread::spawn(move || {
                    let _ = tunnel(client, &log, &gate);
                });
            }
        });
        ConnectProxy { port, tunnels }
    }

    /// `http://127.0.0.1:PORT`, for `HTTPS_PROXY`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The `host:port` of every CONNECT so far, in order.
    pub fn tunnels(&self) -> Vec<String> {
        self.tunnels.lock().expect("proxy log").clone()
    }
}

fn tunnel(mut client: TcpStream, log: &Mutex<Vec<String>>, gate: &Gate) -> io::Result<()> {
    // The head, byte by byte: the client sends nothing more before the proxy answers.
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        if client.read(&mut byte)? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut words = head.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
        return client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
    };
    log.lock().expect("proxy log").push(target.to_string());
    let login = match gate {
        Gate::Refuse(status) => {
            let page = "<html><body>Access denied by policy</body></html>";
            return client.write_all(
                format!(
                    "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{page}",
                    page.len()
                )
                .as_bytes(),
            );
        }
        Gate::Open(login) => login.as_deref(),
    };
    let authorized = head.lines().any(|line| {
        line.split_once(':').is_some_and(|(name, value)| {
            let credentials = value.trim().split_once(' ');
            name.eq_ignore_ascii_case("proxy-authorization")
                && credentials.is_some_and(|(scheme, token)| {
                    scheme.eq_ignore_ascii_case("basic") && Some(token) == login
                })
        })
    });
    if login.is_some() && !authorized {
        return client.write_all(
            b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n",
        );
    }
    let upstream = TcpStream::connect(target)?;
    client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    let (mut up_in, mut up_out) = (upstream.try_clone()?, upstream);
    let mut client_out = client.try_clone()?;
    let back = std::thread::spawn(move || {
        let _ = io::copy(&mut up_in, &mut client_out);
        let _ = client_out.shutdown(Shutdown::Write);
    });
    let _ = io::copy(&mut client, &mut up_out);
    let _ = up_out.shutdown(Shutdown::Write);
    let _ = back.join();
    Ok(())
}

/// A simulated org reached at `https://localhost:PORT` through a [`TlsFront`] that shows `cert`.
pub struct TlsOrg {
    pub org: SimOrg,
    /// `https://localhost:PORT`.
    pub url: String,
    /// TLS connections the front accepted.
    pub connections: Arc<AtomicUsize>,
}

impl TlsOrg {
    pub fn start(cert: ServerCert) -> Self {
        let front = TlsFront::bind();
        let url = format!("https://localhost:{}", front.port());
        let org = SimOrg::start(OrgConfig {
            public_instance_url: Some(url.clone()),
            ..OrgConfig::default()
        });
        let upstream: u16 = org
            .url()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("org port");
        let connections = front.serve(cert, upstream);
        TlsOrg {
            org,
            url,
            connections,
        }
    }

    /// A CLI run of `args` that signs in with an access token for this org's HTTPS URL and pins
    /// the setting's names.
    pub fn cli(&self, args: &[&str]) -> Cli {
        let mut cli = Cli::new(args);
        cli.setting("instance-url", &self.url)
            .setting("access-token", &self.org.issue_access_token())
            .setting("timeout", "20")
            .settings(&pins(&self.org));
        cli
    }

    /// TLS connections the front accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}
