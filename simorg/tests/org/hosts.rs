//! The login host and API versions.

use super::*;

#[test]
fn the_login_host_serves_sign_ins_only_and_retired_versions_are_refused() {
    let org = SimOrg::start(OrgConfig::default());
    let token = org.issue_access_token();
    let auth = format!("Bearer {token}");
    // API calls on the login host are refused: clients must use the token response's instance_url.
    let on_login = send_to(
        &org,
        &org.url(),
        "GET",
        "/services/data/v66.0/sobjects/",
        &[("Authorization", &auth)],
        "",
    )
    .expect("answer");
    assert_eq!(on_login.status, 404, "{}", on_login.body);
    assert!(org.instance_url() != org.url());
    // Client credentials only on the org's own host.
    let basic = basic_auth();
    let headers = [
        ("Authorization", basic.as_str()),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];
    let refused = send_to(
        &org,
        &org.url(),
        "POST",
        "/services/oauth2/token",
        &headers,
        "grant_type=client_credentials",
    )
    .expect("answer");
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.json()["error_description"],
        "request not supported on this domain"
    );
    let granted = send(
        &org,
        "POST",
        "/services/oauth2/token",
        &headers,
        "grant_type=client_credentials",
    )
    .expect("answer");
    assert_eq!(granted.status, 200, "{}", granted.body);
    // Retired API versions.
    assert_eq!(
        get(&org, &token, "/services/data/v20.0/sobjects/").status,
        410
    );
    assert_eq!(
        get(&org, &token, "/services/data/v68.0/sobjects/").status,
        200
    );
    let retired = send(
        &org,
        "POST",
        "/services/Soap/m/30.0",
        &[("Content-Type", "text/xml")],
        "<x/>",
    )
    .expect("answer");
    assert_eq!(retired.status, 500);
    assert!(
        retired
            .body
            .contains("<faultcode>sf:UNSUPPORTED_API_VERSION</faultcode>"),
        "{}",
        retired.body
    );
}

#[test]
fn oldest_api_version_is_a_knob() {
    let org = SimOrg::start(OrgConfig {
        min_api_version: 67,
        ..OrgConfig::default()
    });
    let token = org.issue_access_token();
    assert_eq!(
        get(&org, &token, "/services/data/v66.0/sobjects/").status,
        410
    );
    assert_eq!(
        get(&org, &token, "/services/data/v67.0/sobjects/").status,
        200
    );
}
