//! `POST /services/oauth2/token`: JWT bearer, refresh token and client credentials grants.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use serde_json::{Value as Json, json};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::ids::{
    CLIENT_ID, CLIENT_SECRET, JWT_PUBLIC_KEY_DER, ORG_ID, PLATFORM_CLI, USER_ID, USERNAME,
};
use crate::state::{Shared, new_refresh_token};
use crate::wire::{HttpRequest, Response, parse_form};

const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

fn error(code: &str, description: &str) -> Response {
    Response::json(
        400,
        json!({"error": code, "error_description": description}).to_string(),
    )
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
}

fn success(shared: &Shared, refresh_token: Option<String>) -> Response {
    let access_token = shared.lock().mint_access_token();
    let id = format!("{}/id/{ORG_ID}/{USER_ID}", shared.instance_url);
    let issued_at = now_ms().to_string();
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, CLIENT_SECRET.as_bytes());
    let signature = STANDARD.encode(ring::hmac::sign(
        &key,
        format!("{id}{issued_at}").as_bytes(),
    ));
    let mut body = json!({
        "access_token": access_token,
        "instance_url": shared.instance_url,
        "id": id,
        "token_type": "Bearer",
        "issued_at": issued_at,
        "signature": signature,
        "scope": "api",
    });
    if let Some(rt) = refresh_token {
        body["refresh_token"] = Json::String(rt);
    }
    Response::json(200, body.to_string())
}

/// Handles the token endpoint.
pub(crate) fn token(shared: &Shared, req: &HttpRequest) -> Response {
    if req.method != "POST" {
        return Response::json(
            405,
            json!({"error": "invalid_request", "error_description": "must use HTTP POST"})
                .to_string(),
        );
    }
    let form = parse_form(&req.body);
    let param = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match param("grant_type") {
        Some(JWT_GRANT) => jwt_grant(shared, param("assertion").unwrap_or("")),
        Some("refresh_token") => refresh_grant(
            shared,
            param("refresh_token").unwrap_or(""),
            param("client_id").unwrap_or(""),
            param("client_secret").unwrap_or(""),
        ),
        Some("client_credentials") if !crate::paths::on_instance_host(shared, req) => {
            error("invalid_grant", "request not supported on this domain")
        }
        Some("client_credentials") => {
            let basic = req
                .header("authorization")
                .and_then(|h| {
                    h.strip_prefix("Basic ")
                        .or_else(|| h.strip_prefix("basic "))
                })
                .and_then(|b| STANDARD.decode(b.trim()).ok())
                .and_then(|b| String::from_utf8(b).ok());
            let (id, secret) = match &basic {
                Some(pair) => pair.split_once(':').unwrap_or((pair.as_str(), "")),
                None => (
                    param("client_id").unwrap_or(""),
                    param("client_secret").unwrap_or(""),
                ),
            };
            if id == CLIENT_ID && secret == CLIENT_SECRET {
                success(shared, None)
            } else {
                error("invalid_client", "invalid client credentials")
            }
        }
        Some(_) => error("unsupported_grant_type", "grant type not supported"),
        None => error("unsupported_grant_type", "grant type not supported"),
    }
}

fn refresh_grant(shared: &Shared, refresh: &str, client_id: &str, secret: &str) -> Response {
    match client_id {
        CLIENT_ID if secret == CLIENT_SECRET => {}
        PLATFORM_CLI if secret.is_empty() => {}
        CLIENT_ID | PLATFORM_CLI => return error("invalid_client", "invalid client credentials"),
        _ => return error("invalid_client_id", "client identifier invalid"),
    }
    let rotated = {
        let mut st = shared.lock();
        if refresh.is_empty() || refresh != st.refresh_token {
            return error("invalid_grant", "expired access/refresh token");
        }
        if st.cfg.rotate_refresh_tokens {
            st.refresh_token = new_refresh_token();
            Some(st.refresh_token.clone())
        } else {
            None
        }
    };
    success(shared, rotated)
}

fn b64url(part: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()
}

fn seconds(v: &Json) -> Option<u64> {
    match v {
        Json::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f as u64)),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn jwt_grant(shared: &Shared, assertion: &str) -> Response {
    let invalid = || error("invalid_grant", "invalid assertion");
    let parts: Vec<&str> = assertion.split('.').collect();
    let [h, c, s] = parts.as_slice() else {
        return invalid();
    };
    let parse = |p: &str| -> Option<Json> { serde_json::from_slice(&b64url(p)?).ok() };
    let (Some(header), Some(claims), Some(sig)) = (parse(h), parse(c), b64url(s)) else {
        return invalid();
    };
    if header.get("alg").and_then(Json::as_str) != Some("RS256") {
        return invalid();
    }
    if claims.get("iss").and_then(Json::as_str) != Some(CLIENT_ID) {
        return error("invalid_client_id", "client identifier invalid");
    }
    let key = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, JWT_PUBLIC_KEY_DER);
    if key.verify(format!("{h}.{c}").as_bytes(), &sig).is_err() {
        return invalid();
    }
    let aud_ok = match claims.get("aud") {
        Some(Json::String(a)) => audience_ok(shared, a),
        Some(Json::Array(list)) => list
            .iter()
            .any(|a| a.as_str().is_some_and(|a| audience_ok(shared, a))),
        _ => false,
    };
    if !aud_ok {
        return error("invalid_grant", "audience is invalid");
    }
    if claims.get("sub").and_then(Json::as_str) != Some(USERNAME) {
        return error("invalid_grant", "user hasn't approved this consumer");
    }
    let now = (now_ms() / 1000) as u64;
    match claims.get("exp").and_then(seconds) {
        // Salesforce documents "within 3 minutes" but does not enforce an upper bound (sfdx-core
        // sends `exp` in milliseconds and signs in): only an expired assertion is refused.
        Some(exp) if exp > now => success(shared, None),
        _ => invalid(),
    }
}

fn audience_ok(shared: &Shared, aud: &str) -> bool {
    let aud = aud.trim_end_matches('/');
    aud == shared.url
        || aud == "https://login.salesforce.com"
        || aud == "https://test.salesforce.com"
}
