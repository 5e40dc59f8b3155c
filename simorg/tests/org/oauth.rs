//! OAuth token grants: refresh token (and its rotation), JWT bearer, client credentials.

use super::*;

fn refresh_of(auth_url: &str) -> (String, String, String) {
    let rest = auth_url.strip_prefix("force://").expect("force://");
    let (creds, _host) = rest.rsplit_once('@').expect("@host");
    let mut parts = creds.splitn(3, ':');
    let id = parts.next().expect("id").to_string();
    let secret = parts.next().expect("secret").to_string();
    let refresh = parts.next().expect("refresh").to_string();
    (id, secret, refresh)
}

fn refresh_grant(org: &SimOrg, auth_url: &str) -> Resp {
    let (id, secret, refresh) = refresh_of(auth_url);
    let mut pairs = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
        ("client_id", id.as_str()),
    ];
    if !secret.is_empty() {
        pairs.push(("client_secret", secret.as_str()));
    }
    post_token(org, &pairs)
}

fn assert_token_ok(org: &SimOrg, resp: &Resp) -> String {
    assert_eq!(resp.status, 200, "{}", resp.body);
    let v = resp.json();
    let token = v["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    assert!(token.starts_with("00DSIM000000001!AQ"), "{token}");
    assert_eq!(v["instance_url"], org.instance_url());
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["scope"], "api");
    assert!(
        v["id"]
            .as_str()
            .expect("id")
            .starts_with(&format!("{}/id/00D", org.instance_url()))
    );
    assert!(
        v["issued_at"]
            .as_str()
            .expect("issued_at")
            .parse::<u64>()
            .is_ok()
    );
    assert!(v["signature"].is_string());
    token
}

fn assert_oauth_error(resp: &Resp, error: &str, description: &str) {
    assert_eq!(resp.status, 400, "{}", resp.body);
    let v = resp.json();
    assert_eq!(v["error"], error, "{}", resp.body);
    assert_eq!(v["error_description"], description, "{}", resp.body);
}

fn jwt_claims(org: &SimOrg) -> serde_json::Value {
    json!({"iss": CLIENT_ID, "sub": USERNAME, "aud": org.url(), "exp": now_secs() + 180})
}

#[test]
fn refresh_token_grant_both_auth_urls_and_errors() {
    let org = SimOrg::start(OrgConfig::default());
    let url = org.auth_url();
    assert!(url.starts_with(&format!("force://{CLIENT_ID}:{CLIENT_SECRET}:5Aep")));
    assert!(url.ends_with(&format!("@{}", org.url().trim_start_matches("http://"))));
    let resp = refresh_grant(&org, &url);
    let token = assert_token_ok(&org, &resp);
    assert!(
        resp.json().get("refresh_token").is_none(),
        "no rotation by default"
    );
    assert_eq!(
        query(&org, &token, "SELECT Id FROM s_c__Setting__mdt").status,
        200
    );

    let cli = org.auth_url_without_secret();
    assert!(cli.starts_with("force://PlatformCLI::5Aep"));
    assert_token_ok(&org, &refresh_grant(&org, &cli));
    // Refresh token unchanged without rotation: both still work.
    assert_token_ok(&org, &refresh_grant(&org, &url));

    let (_, _, refresh) = refresh_of(&url);
    let wrong_secret = post_token(
        &org,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", CLIENT_ID),
            ("client_secret", "nope"),
        ],
    );
    assert_oauth_error(
        &wrong_secret,
        "invalid_client",
        "invalid client credentials",
    );
    let wrong_id = post_token(
        &org,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", "someone"),
        ],
    );
    assert_oauth_error(&wrong_id, "invalid_client_id", "client identifier invalid");
    let dead = post_token(
        &org,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "5AepDEAD"),
            ("client_id", "PlatformCLI"),
        ],
    );
    assert_oauth_error(&dead, "invalid_grant", "expired access/refresh token");
    let unsupported = post_token(&org, &[("grant_type", "password"), ("username", USERNAME)]);
    assert_oauth_error(
        &unsupported,
        "unsupported_grant_type",
        "grant type not supported",
    );
}

#[test]
fn refresh_token_rotation_invalidates_old_token() {
    let org = SimOrg::start(OrgConfig {
        rotate_refresh_tokens: true,
        ..OrgConfig::default()
    });
    let first = org.auth_url();
    let resp = refresh_grant(&org, &first);
    assert_token_ok(&org, &resp);
    let new_refresh = resp.json()["refresh_token"]
        .as_str()
        .expect("rotated")
        .to_string();
    let second = org.auth_url();
    assert_ne!(first, second);
    assert_eq!(refresh_of(&second).2, new_refresh);
    assert_oauth_error(
        &refresh_grant(&org, &first),
        "invalid_grant",
        "expired access/refresh token",
    );
    assert_token_ok(&org, &refresh_grant(&org, &second));
}

#[test]
fn jwt_bearer_grant() {
    let org = SimOrg::start(OrgConfig::default());
    let grant = |assertion: &str| {
        post_token(
            &org,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion),
            ],
        )
    };
    // Both key encodings, and the standard audiences.
    let resp = grant(&sign_jwt(JWT_KEY_PEM, &jwt_claims(&org)));
    let token = assert_token_ok(&org, &resp);
    assert!(resp.json().get("refresh_token").is_none());
    assert_eq!(
        query(&org, &token, "SELECT Id FROM s_c__Setting__mdt").status,
        200
    );
    assert_token_ok(
        &org,
        &grant(&sign_jwt(JWT_KEY_PKCS1_PEM, &jwt_claims(&org))),
    );
    for aud in [
        "https://login.salesforce.com",
        "https://test.salesforce.com",
    ] {
        let mut claims = jwt_claims(&org);
        claims["aud"] = json!(aud);
        assert_token_ok(&org, &grant(&sign_jwt(JWT_KEY_PEM, &claims)));
    }
    // exp as a string, as simple-salesforce sends it.
    let mut claims = jwt_claims(&org);
    claims["exp"] = json!((now_secs() + 120).to_string());
    assert_token_ok(&org, &grant(&sign_jwt(JWT_KEY_PEM, &claims)));

    let mut claims = jwt_claims(&org);
    claims["aud"] = json!("https://example.com");
    assert_oauth_error(
        &grant(&sign_jwt(JWT_KEY_PEM, &claims)),
        "invalid_grant",
        "audience is invalid",
    );
    let mut claims = jwt_claims(&org);
    claims["iss"] = json!("other-app");
    assert_oauth_error(
        &grant(&sign_jwt(JWT_KEY_PEM, &claims)),
        "invalid_client_id",
        "client identifier invalid",
    );
    let mut claims = jwt_claims(&org);
    claims["sub"] = json!("someone@else.example");
    assert_oauth_error(
        &grant(&sign_jwt(JWT_KEY_PEM, &claims)),
        "invalid_grant",
        "user hasn't approved this consumer",
    );
    // No upper bound in practice: far-future exp (even milliseconds, as sfdx-core sends) signs in.
    for exp in [now_secs() + 300, now_secs() + 3600, now_secs() * 1000] {
        let mut claims = jwt_claims(&org);
        claims["exp"] = json!(exp);
        assert_token_ok(&org, &grant(&sign_jwt(JWT_KEY_PEM, &claims)));
    }
    // An expired assertion is refused.
    for exp in [now_secs() - 10, 0] {
        let mut claims = jwt_claims(&org);
        claims["exp"] = json!(exp);
        assert_oauth_error(
            &grant(&sign_jwt(JWT_KEY_PEM, &claims)),
            "invalid_grant",
            "invalid assertion",
        );
    }
    // Tampered payload: signature no longer matches.
    let good = sign_jwt(JWT_KEY_PEM, &jwt_claims(&org));
    let parts: Vec<&str> = good.split('.').collect();
    let mut other = jwt_claims(&org);
    other["exp"] = json!(now_secs() + 200);
    let forged_payload = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(other.to_string())
    };
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert_oauth_error(&grant(&forged), "invalid_grant", "invalid assertion");
    assert_oauth_error(&grant("not-a-jwt"), "invalid_grant", "invalid assertion");
}

#[test]
fn client_credentials_grant() {
    let org = SimOrg::start(OrgConfig::default());
    let basic = basic_auth();
    let resp = must(
        &org,
        "POST",
        "/services/oauth2/token",
        &[
            ("Authorization", &basic),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        "grant_type=client_credentials",
    );
    assert_token_ok(&org, &resp);
    let resp = post_token(
        &org,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    );
    assert_token_ok(&org, &resp);
    let resp = post_token(
        &org,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", "wrong"),
        ],
    );
    assert_oauth_error(&resp, "invalid_client", "invalid client credentials");
}
