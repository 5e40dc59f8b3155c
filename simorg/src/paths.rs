//! The URL paths the org serves, and the names of the operations in them.

use crate::state::Shared;
use crate::wire::HttpRequest;
use crate::xml;

/// The OAuth token endpoint.
pub(crate) const TOKEN_PATH: &str = "/services/oauth2/token";

/// True for `NN.N` (digits, dot, digits).
pub(crate) fn is_version(v: &str) -> bool {
    match v.split_once('.') {
        Some((a, b)) => {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Splits `/services/data/vNN.N/rest` into (`NN.N`, `/rest`).
pub(crate) fn rest_path(path: &str) -> Option<(&str, &str)> {
    let after = path.strip_prefix("/services/data/v")?;
    let (version, rest) = match after.find('/') {
        Some(i) => after.split_at(i),
        None => (after, ""),
    };
    is_version(version).then_some((version, rest))
}

/// True for `/services/Soap/m/NN.N` (optionally followed by `/orgId`).
pub(crate) fn is_soap_path(path: &str) -> bool {
    let Some(after) = path.strip_prefix("/services/Soap/m/") else {
        return false;
    };
    let version = after.split('/').next().unwrap_or("");
    is_version(version) && after.split('/').filter(|s| !s.is_empty()).count() <= 2
}

/// REST resource kinds below the version segment.
pub(crate) enum RestResource<'a> {
    Query,
    DescribeGlobal,
    Describe(&'a str),
    Unknown,
}

pub(crate) fn rest_resource(rest: &str) -> RestResource<'_> {
    let trimmed = rest.trim_end_matches('/');
    if trimmed == "/query" || trimmed.starts_with("/query/") {
        return RestResource::Query;
    }
    if trimmed == "/sobjects" {
        return RestResource::DescribeGlobal;
    }
    if let Some(name) = trimmed
        .strip_prefix("/sobjects/")
        .and_then(|r| r.strip_suffix("/describe"))
        && !name.is_empty()
        && !name.contains('/')
    {
        return RestResource::Describe(name);
    }
    RestResource::Unknown
}

/// The first element inside the SOAP Body, if the body parses.
pub(crate) fn soap_operation(body: &str) -> Option<String> {
    let root = xml::parse(body).ok()?;
    let op = root.child("Body")?.children.first()?;
    Some(op.name.clone())
}

/// Whether the request was addressed to the org's instance host (by its `Host` header).
pub(crate) fn on_instance_host(shared: &Shared, req: &HttpRequest) -> bool {
    let wanted = shared
        .instance_url
        .trim_start_matches("http://")
        .trim_start_matches("https://");
    req.header("host")
        .is_some_and(|h| h.eq_ignore_ascii_case(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_paths() {
        assert!(is_version("66.0"));
        assert!(!is_version("66"));
        assert!(!is_version("v66.0"));
        assert_eq!(
            rest_path("/services/data/v62.0/query"),
            Some(("62.0", "/query"))
        );
        assert_eq!(rest_path("/services/data/vX/query"), None);
        assert!(is_soap_path("/services/Soap/m/66.0"));
        assert!(is_soap_path("/services/Soap/m/66.0/00DSIM000000001"));
        assert!(!is_soap_path("/services/Soap/u/66.0"));
        assert!(matches!(
            rest_resource("/sobjects/"),
            RestResource::DescribeGlobal
        ));
        assert!(matches!(
            rest_resource("/sobjects/s_c__Setting__mdt/describe/"),
            RestResource::Describe("s_c__Setting__mdt")
        ));
        assert!(matches!(
            rest_resource("/sobjects/x/y"),
            RestResource::Unknown
        ));
    }
}
