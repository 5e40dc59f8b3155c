//! Corporate networks: the org behind TLS with a private CA, reached through an HTTP CONNECT
//! proxy. `SSL_CERT_FILE` makes the CA trusted; without it the refused certificate fails at
//! once, saying why; `NO_PROXY` bypasses the proxy.

mod kit;

use kit::{ConnectProxy, TestCa, TlsOrg};

use crate::action::Job;
use crate::common::*;

/// The test CA and a server certificate of it for `names`.
fn org_with(ca: &TestCa, names: &[&str], expired: bool) -> TlsOrg {
    TlsOrg::start(ca.server_cert(names, expired))
}

#[test]
fn through_a_proxy_with_the_ca_in_ssl_cert_file() {
    let ca = TestCa::new("Corp Inspection CA");
    let net = org_with(&ca, &["localhost", "127.0.0.1"], false);
    let proxy = ConnectProxy::start();
    let ca_file = ca.write_pem(&temp_dir("ca"), "corp-ca.pem");
    net.cli(&["status"])
        .env("HTTPS_PROXY", &proxy.url())
        .env("SSL_CERT_FILE", &ca_file.to_string_lossy())
        .run()
        .expect(0)
        .contains("true");
    let tunnels = proxy.tunnels();
    assert!(!tunnels.is_empty(), "the proxy saw no CONNECT");
    let port = net.url.trim_start_matches("https://");
    assert!(tunnels.iter().all(|t| t == port), "{tunnels:?}");
    assert!(count(&net.org, Op::Query) > 0, "the org was read");
}

#[test]
fn the_action_uses_the_proxy_and_a_ca_file_in_the_workspace() {
    let ca = TestCa::new("Corp Inspection CA");
    let net = org_with(&ca, &["localhost"], false);
    let proxy = ConnectProxy::start();
    let mut with = vec![
        ("instance-url", net.url.clone()),
        ("access-token", net.org.issue_access_token()),
        ("timeout", "20".to_string()),
    ];
    with.extend(pins(&net.org));
    let mut job = Job::new(&with);
    // `SSL_CERT_FILE: ${{ github.workspace }}/corp-ca.pem` on the step; the runner passes its
    // proxy variables on.
    let ca_file = ca.write_pem(&job.workspace(), "corp-ca.pem");
    job.env("SSL_CERT_FILE", &ca_file.to_string_lossy())
        .env("HTTPS_PROXY", &proxy.url());
    let main = job.main();
    main.run.expect(0);
    assert!(!enabled(&net.org), "main disabled the triggers");
    job.post(Some(&main)).run.expect(0);
    assert!(enabled(&net.org), "post re-enabled them");
    assert!(proxy.tunnels().len() >= 2, "{:?}", proxy.tunnels());
}

#[test]
fn an_untrusted_certificate_fails_at_once_and_says_so() {
    let ca = TestCa::new("Corp Inspection CA");
    let net = org_with(&ca, &["localhost", "127.0.0.1"], false);
    let proxy = ConnectProxy::start();
    // No SSL_CERT_FILE: the system's list does not hold the test CA.
    let run = net.cli(&["status"]).env("HTTPS_PROXY", &proxy.url()).run();
    let host = net.url.trim_start_matches("https://");
    run.expect(3)
        .contains(&format!(
            "the TLS certificate presented for {host} was refused: unknown issuer"
        ))
        .contains("a proxy that inspects TLS needs its CA in SSL_CERT_FILE");
    assert!(!run.all().contains("retrying"), "{}", run.stderr);
    assert!(
        !run.all().contains("status.salesforce.com"),
        "not a network blip: {}",
        run.stderr
    );
    // One attempt: one tunnel, one handshake, no request reached the org.
    assert_eq!(proxy.tunnels().len(), 1, "{:?}", proxy.tunnels());
    assert_eq!(net.connections(), 1);
    assert!(net.org.requests().is_empty());
}

#[test]
fn a_ca_file_without_the_issuer_says_the_file_is_in_use() {
    let corp = TestCa::new("Corp Inspection CA");
    let other = TestCa::new("Some Other CA");
    let net = org_with(&corp, &["localhost"], false);
    let ca_file = other.write_pem(&temp_dir("ca"), "other-ca.pem");
    let ca_path = ca_file.to_string_lossy();
    let run = net.cli(&["status"]).env("SSL_CERT_FILE", &ca_path).run();
    run.expect(3)
        .contains("unknown issuer")
        .contains(&format!("SSL_CERT_FILE `{ca_path}` is in use"));
    assert_eq!(net.connections(), 1);
}

#[test]
fn a_wrong_name_or_an_expired_certificate_fails_at_once_with_its_reason() {
    let ca = TestCa::new("Corp Inspection CA");
    let ca_file = ca.write_pem(&temp_dir("ca"), "corp-ca.pem");
    let cases: [(&[&str], bool, &str); 2] = [
        (
            &["proxy.corp.example"],
            false,
            "wrong name: it is not valid for this host",
        ),
        (&["localhost"], true, "expired on 2001-01-01T00:00:00Z"),
    ];
    for (names, expired, reason) in cases {
        let net = org_with(&ca, names, expired);
        let run = net
            .cli(&["status"])
            .env("SSL_CERT_FILE", &ca_file.to_string_lossy())
            .run();
        run.expect(3)
            .contains(&format!("was refused: {reason}"))
            .contains("check the URL");
        assert!(!run.all().contains("retrying"), "{}", run.stderr);
        assert_eq!(net.connections(), 1, "{reason}: one attempt");
    }
}

#[test]
fn a_proxy_that_wants_credentials_fails_at_once_and_takes_them_from_the_url() {
    let ca = TestCa::new("Corp Inspection CA");
    let net = org_with(&ca, &["localhost"], false);
    let proxy = ConnectProxy::start_with_login(Some("jo:s3cr%t"));
    let ca_file = ca.write_pem(&temp_dir("ca"), "corp-ca.pem");
    let run = net
        .cli(&["status"])
        .env("HTTPS_PROXY", &proxy.url())
        .env("SSL_CERT_FILE", &ca_file.to_string_lossy())
        .run();
    run.expect(3)
        .contains("answered 407 Proxy Authentication Required")
        .contains("HTTPS_PROXY=http://USER:PASSWORD@HOST:PORT");
    assert!(!run.all().contains("retrying"), "{}", run.stderr);
    assert_eq!(proxy.tunnels().len(), 1, "one attempt");

    let wrong_login = proxy.url().replace("http://", "http://jo:wr0ng@");
    let run = net
        .cli(&["status"])
        .env("HTTPS_PROXY", &wrong_login)
        .env("SSL_CERT_FILE", &ca_file.to_string_lossy())
        .run();
    run.expect(3)
        .contains("answered 407 Proxy Authentication Required");
    assert!(
        !run.all().contains("wr0ng"),
        "a wrong password is not shown"
    );

    let with_login = proxy.url().replace("http://", "http://jo:s3cr%25t@");
    let run = net
        .cli(&["status"])
        .env("HTTPS_PROXY", &with_login)
        .env("SSL_CERT_FILE", &ca_file.to_string_lossy())
        .run();
    run.expect(0);
    assert!(!run.all().contains("s3cr"), "the password is not shown");
}

#[test]
fn a_proxy_that_refuses_the_tunnel_fails_at_once_without_showing_its_login() {
    let ca = TestCa::new("Corp Inspection CA");
    let net = org_with(&ca, &["localhost"], false);
    let ca_file = ca.write_pem(&temp_dir("ca"), "corp-ca.pem");
    let host = net.url.trim_start_matches("https://");
    for status in ["403 Forbidden", "502 Bad Gateway"] {
        let proxy = ConnectProxy::refusing(status);
        let with_login = proxy.url().replace("http://", "http://jo:s3cr%25t@");
        let run = net
            .cli(&["status"])
            .env("HTTPS_PROXY", &with_login)
            .env("SSL_CERT_FILE", &ca_file.to_string_lossy())
            .run();
        run.expect(3)
            .contains(&format!(
                "the proxy of HTTPS_PROXY refused to open a tunnel to {host}"
            ))
            .contains("NO_PROXY");
        assert!(!run.all().contains("retrying"), "{status}: {}", run.stderr);
        assert!(
            !run.all().contains("s3cr"),
            "{status}: the proxy's password is not shown"
        );
        assert!(!run.all().contains("jo:"), "{status}: nor its user");
        assert_eq!(proxy.tunnels().len(), 1, "{status}: one attempt");
        assert!(net.org.requests().is_empty());
    }
}

#[test]
fn no_proxy_bypasses_the_proxy() {
    let ca = TestCa::new("Corp Inspection CA");
    let net = org_with(&ca, &["localhost"], false);
    let proxy = ConnectProxy::start();
    let ca_file = ca.write_pem(&temp_dir("ca"), "corp-ca.pem");
    net.cli(&["status"])
        .env("HTTPS_PROXY", &proxy.url())
        .env("NO_PROXY", "example.com, localhost")
        .env("SSL_CERT_FILE", &ca_file.to_string_lossy())
        .run()
        .expect(0);
    assert!(net.connections() > 0, "the org was reached directly");
    assert_eq!(proxy.tunnels(), Vec::<String>::new());
}

#[test]
fn an_unusable_ssl_cert_file_is_bad_input() {
    let ca = TestCa::new("Corp Inspection CA");
    let net = org_with(&ca, &["localhost"], false);
    let dir = temp_dir("ca");
    std::fs::write(dir.join("key-only.pem"), "not a certificate\n").expect("write");
    let garbage = "-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n";
    std::fs::write(dir.join("garbage.pem"), garbage).expect("write");
    let missing = dir.join("missing.pem");
    let cases = [
        (String::new(), "SSL_CERT_FILE is set but empty".to_string()),
        (
            missing.to_string_lossy().into_owned(),
            format!("SSL_CERT_FILE `{}` cannot be read", missing.display()),
        ),
        (
            dir.join("key-only.pem").to_string_lossy().into_owned(),
            "holds no certificate".to_string(),
        ),
        (
            dir.join("garbage.pem").to_string_lossy().into_owned(),
            "holds a certificate that cannot be used".to_string(),
        ),
    ];
    for (value, words) in cases {
        net.cli(&["status"])
            .env("SSL_CERT_FILE", &value)
            .run()
            .expect(2)
            .contains(&words);
    }
    assert_eq!(net.connections(), 0, "no request");
}
