//! The router: classifies requests into [`Op`]s and dispatches them to the handlers.

use crate::model::Op;
use crate::paths::{
    RestResource, TOKEN_PATH, is_soap_path, on_instance_host, rest_path, rest_resource,
    soap_operation,
};
use crate::rest::not_found;
use crate::state::Shared;
use crate::wire::{HttpRequest, Response};
use crate::{oauth, rest, soap};

/// Classifies a request (before any auth check).
pub(crate) fn classify(req: &HttpRequest) -> Op {
    if req.path == TOKEN_PATH {
        return Op::Token;
    }
    if let Some((_, rest)) = rest_path(&req.path) {
        return match rest_resource(rest) {
            RestResource::Query => Op::Query,
            RestResource::DescribeGlobal => Op::DescribeGlobal,
            RestResource::Describe(_) => Op::Describe,
            RestResource::Unknown => Op::Other,
        };
    }
    if is_soap_path(&req.path) {
        return match soap_operation(&req.body).as_deref() {
            Some("readMetadata") => Op::ReadMetadata,
            Some("updateMetadata") => Op::UpdateMetadata,
            Some("upsertMetadata") => Op::UpsertMetadata,
            Some("listMetadata") => Op::ListMetadata,
            _ => Op::Other,
        };
    }
    Op::Other
}

/// API versions this org serves (retired ones are refused, as Salesforce does).
pub(crate) fn supported_version(shared: &Shared, version: &str) -> bool {
    let oldest = shared.lock().cfg.min_api_version;
    version
        .split_once('.')
        .and_then(|(major, _)| major.parse::<u32>().ok())
        .is_some_and(|m| (oldest..=68).contains(&m))
}

/// Produces the real answer for a request.
pub(crate) fn dispatch(shared: &Shared, req: &HttpRequest, op: Op) -> Response {
    if op == Op::Token {
        return oauth::token(shared, req);
    }
    let api = rest_path(&req.path).is_some() || is_soap_path(&req.path);
    if api && !on_instance_host(shared, req) {
        // A login host serves no API: calls must go to the instance_url of the token response.
        return Response::json(
            404,
            r#"[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist on this host; use the instance_url"}]"#,
        );
    }
    if let Some((version, _)) = rest_path(&req.path)
        && !supported_version(shared, version)
    {
        return Response::json(
            410,
            r#"[{"errorCode":"GONE","message":"This API version is no longer supported"}]"#,
        );
    }
    if let Some((version, rest)) = rest_path(&req.path) {
        return rest::handle(shared, req, version, rest);
    }
    if req.path.trim_end_matches('/') == "/services/data" {
        return rest::versions();
    }
    if is_soap_path(&req.path) {
        let version = req
            .path
            .trim_start_matches("/services/Soap/m/")
            .split('/')
            .next()
            .unwrap_or("");
        if !supported_version(shared, version) {
            return soap::fault(
                "sf:UNSUPPORTED_API_VERSION",
                "UNSUPPORTED_API_VERSION: This API version is no longer supported",
            );
        }
        return soap::handle(shared, req);
    }
    not_found()
}
