//! Where the sign-up settings are read from: `GET /v1/domains` names the instance's
//! Frontend API, which is this same server under `/fapi`, and its `GET /v1/environment`
//! serves them.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::state::Shared;

/// `GET /v1/domains`: the instance's one primary domain; its Frontend API is this same
/// server under `/fapi`.
pub async fn domains(State(shared): State<Shared>, headers: HeaderMap) -> Json<Value> {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    Json(json!({
        "data": [{
            "object": "domain",
            "id": format!("dmn_{}", shared.instance_id.trim_start_matches("ins_")),
            "name": host,
            "is_satellite": false,
            "frontend_api_url": format!("http://{host}/fapi"),
            "accounts_portal_url": null,
            "proxy_url": null,
            "development_origin": "",
            "cname_targets": null
        }],
        "total_count": 1
    }))
}

/// The Frontend API's `GET /v1/environment`, public as Clerk's is.
pub async fn environment(State(shared): State<Shared>) -> Json<Value> {
    Json(json!({
        "object": "environment",
        "user_settings": shared.user_settings(),
        "auth_config": {"object": "auth_config", "single_session_mode": true},
        "display_config": {"object": "display_config", "instance_environment_type":
            if shared.config.is_production() { "production" } else { "development" }}
    }))
}
