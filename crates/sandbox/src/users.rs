//! `/v1/users…` and `/v1/instance` handlers.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use chrono::Utc;
use serde_json::{Value, json};

use super::envelope::ApiError;
use super::ids::object_id;
use super::state::{AfterCreate, Identifier, Shared, Store, StoredUser};
use super::validate::{self, Body, FieldType};
use axum::response::{IntoResponse, Response};

/// The `CreateUser` body's properties (`additionalProperties: false` in the spec).
const CREATE_FIELDS: &[(&str, FieldType)] = &[
    ("external_id", FieldType::NullableStr),
    ("first_name", FieldType::NullableStr),
    ("last_name", FieldType::NullableStr),
    ("locale", FieldType::NullableStr),
    ("email_address", FieldType::StrArray),
    ("email_address_identification_status", FieldType::StrArray),
    ("phone_number", FieldType::StrArray),
    ("phone_number_identification_status", FieldType::StrArray),
    ("web3_wallet", FieldType::StrArray),
    ("username", FieldType::NullableStr),
    ("password", FieldType::NullableStr),
    ("password_digest", FieldType::NullableStr),
    ("password_hasher", FieldType::Str),
    ("skip_password_checks", FieldType::NullableBool),
    ("skip_password_requirement", FieldType::NullableBool),
    ("totp_secret", FieldType::NullableStr),
    ("backup_codes", FieldType::StrArray),
    ("public_metadata", FieldType::Object),
    ("private_metadata", FieldType::Object),
    ("unsafe_metadata", FieldType::Object),
    ("delete_self_enabled", FieldType::NullableBool),
    ("legal_accepted_at", FieldType::NullableStr),
    ("skip_legal_checks", FieldType::NullableBool),
    ("skip_user_requirement", FieldType::NullableBool),
    ("create_organization_enabled", FieldType::NullableBool),
    ("create_organizations_limit", FieldType::NullableInt),
    ("created_at", FieldType::NullableStr),
    ("bypass_client_trust", FieldType::NullableBool),
    ("banned", FieldType::NullableBool),
    ("locked", FieldType::NullableBool),
];

/// The subset of `UpdateUser` the sandbox applies; metadata is not accepted since 2026-05-12.
const UPDATE_FIELDS: &[(&str, FieldType)] = &[
    ("external_id", FieldType::NullableStr),
    ("first_name", FieldType::NullableStr),
    ("last_name", FieldType::NullableStr),
    ("locale", FieldType::NullableStr),
    ("username", FieldType::NullableStr),
    ("primary_email_address_id", FieldType::NullableStr),
    ("primary_phone_number_id", FieldType::NullableStr),
    (
        "notify_primary_email_address_changed",
        FieldType::NullableBool,
    ),
    ("password", FieldType::NullableStr),
    ("password_digest", FieldType::NullableStr),
    ("password_hasher", FieldType::Str),
    ("skip_password_checks", FieldType::NullableBool),
    ("sign_out_of_other_sessions", FieldType::NullableBool),
    ("totp_secret", FieldType::NullableStr),
    ("backup_codes", FieldType::StrArray),
    ("delete_self_enabled", FieldType::NullableBool),
    ("create_organization_enabled", FieldType::NullableBool),
    ("legal_accepted_at", FieldType::NullableStr),
    ("skip_legal_checks", FieldType::NullableBool),
    ("create_organizations_limit", FieldType::NullableInt),
    ("created_at", FieldType::NullableStr),
    ("bypass_client_trust", FieldType::NullableBool),
];

fn taken(param: &str) -> ApiError {
    let noun = match param {
        "email_address" => "email address",
        "phone_number" => "phone number",
        "web3_wallet" => "web3 wallet",
        "external_id" => "external ID",
        other => other,
    };
    let text = format!("That {noun} is taken. Please try another.");
    ApiError::form("form_identifier_exists", text.clone(), text, param)
}

fn identifiers(values: &[String], statuses: &[String], now: i64, prefix: &str) -> Vec<Identifier> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let reserved = statuses.get(i).is_some_and(|s| s == "reserved");
            Identifier {
                id: object_id(prefix),
                value: v.clone(),
                verified: !reserved,
                reserved,
                created_at: now,
            }
        })
        .collect()
}

/// Fails when any value is already used, or repeated within `values`.
fn check_unique(
    index: &std::collections::HashMap<String, u64>,
    values: &[String],
    normalize: fn(&str) -> String,
    param: &str,
    except: Option<u64>,
) -> Result<(), ApiError> {
    let mut seen = std::collections::HashSet::new();
    for v in values {
        let key = normalize(v);
        let owner = index.get(&key).copied();
        if (owner.is_some() && owner != except) || !seen.insert(key) {
            return Err(taken(param));
        }
    }
    Ok(())
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

fn same(s: &str) -> String {
    s.to_owned()
}

pub async fn create(State(shared): State<Shared>, bytes: Bytes) -> Response {
    let rendered = match create_user(&shared, &bytes) {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    match shared.fail_after_create() {
        Some(AfterCreate::Error) => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_clerk_error",
            "Oops, an unexpected error occurred",
            "There was an internal error on our servers. We've been notified and are working on fixing it.",
        )
        .into_response(),
        Some(AfterCreate::Drop) => super::gate::cut(),
        None => Json(rendered).into_response(),
    }
}

fn create_user(shared: &Shared, bytes: &Bytes) -> Result<Value, ApiError> {
    let mut fields = CREATE_FIELDS.to_vec();
    if shared.config.accept_skip_restriction_checks {
        fields.push(("skip_restriction_checks", FieldType::NullableBool));
    }
    let body = Body::parse(bytes, &fields)?;
    let now = Utc::now();
    let now_ms = now.timestamp_millis();

    let emails = body.strings("email_address");
    let phones = body.strings("phone_number");
    let wallets = body.strings("web3_wallet");
    let email_status = body.strings("email_address_identification_status");
    let phone_status = body.strings("phone_number_identification_status");
    for e in &emails {
        validate::check_email("email_address", e)?;
    }
    for p in &phones {
        validate::check_phone("phone_number", p)?;
    }
    validate::check_statuses(
        "email_address_identification_status",
        "email_address",
        &email_status,
        emails.len(),
    )?;
    validate::check_statuses(
        "phone_number_identification_status",
        "phone_number",
        &phone_status,
        phones.len(),
    )?;
    if let Some(locale) = body.str("locale") {
        validate::check_locale(&locale)?;
    }
    let created_at = match body.str("created_at") {
        Some(t) => validate::check_time("created_at", &t, now)?,
        None => now_ms,
    };
    let legal_accepted_at = match body.str("legal_accepted_at") {
        Some(t) => Some(validate::check_time("legal_accepted_at", &t, now)?),
        None => None,
    };
    if let Some(secret) = body.str("totp_secret") {
        validate::check_totp(&secret)?;
    }
    for param in ["first_name", "last_name"] {
        if let Some(name) = body.str(param) {
            validate::check_name(param, &name)?;
        }
    }

    let digest = body.str("password_digest");
    let hasher = body.str("password_hasher");
    let password = body.str("password");
    match (&digest, &hasher) {
        (Some(d), Some(h)) => validate::check_digest(h, d)?,
        (Some(_), None) => {
            return Err(ApiError::form(
                "form_conditional_param_missing",
                "is missing",
                "`password_hasher` is required when `password_digest` is present.",
                "password_hasher",
            ));
        }
        _ => {}
    }
    if let Some(p) = &password
        && p.chars().count() < 8
        && !body.bool("skip_password_checks").unwrap_or(false)
    {
        let text = "Passwords must be 8 characters or more.";
        return Err(ApiError::form(
            "form_password_length_too_short",
            text,
            text,
            "password",
        ));
    }
    let has_password = password.is_some() || digest.is_some();
    if !has_password && !body.bool("skip_password_requirement").unwrap_or(false) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form_data_missing",
            "missing data",
            "[\"password\"] data doesn't match user requirements set for this instance",
        )
        .with_meta("param_names", json!(["password"])));
    }
    let username = body.str("username");
    let settings = shared.user_settings();
    super::settings::check_create(
        &settings,
        &super::settings::CreateCheck {
            emails: &emails,
            phones: &phones,
            username: username.as_deref(),
            first_name: body.str("first_name").is_some(),
            last_name: body.str("last_name").is_some(),
            has_password,
            skip_password_requirement: body.bool("skip_password_requirement").unwrap_or(false),
        },
    )?;
    if emails.is_empty() && phones.is_empty() && wallets.is_empty() && username.is_none() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form_param_missing",
            "at least one parameter must be provided",
            "at least one of `email_address, phone_number, username, web3_wallet` must be provided",
        )
        .with_meta(
            "param_names",
            json!(["email_address", "phone_number", "username", "web3_wallet"]),
        ));
    }

    let mut store = shared.store();
    if let Some(cap) = shared.config.effective_user_cap()
        && store.users.len() >= cap
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "user_quota_exceeded",
            "user quota exceeded",
            format!(
                "You have reached your limit of {cap} users. If you need more users, please use a Production instance."
            ),
        ));
    }
    check_unique(&store.emails, &emails, lower, "email_address", None)?;
    check_unique(&store.phones, &phones, same, "phone_number", None)?;
    check_unique(&store.web3, &wallets, lower, "web3_wallet", None)?;
    if let Some(u) = &username {
        check_unique(
            &store.usernames,
            std::slice::from_ref(u),
            lower,
            "username",
            None,
        )?;
    }
    let external_id = body.str("external_id");
    if let Some(x) = &external_id {
        check_unique(
            &store.external_ids,
            std::slice::from_ref(x),
            same,
            "external_id",
            None,
        )?;
    }

    let emails = identifiers(&emails, &email_status, now_ms, "idn");
    let phones = identifiers(&phones, &phone_status, now_ms, "idn");
    let wallets = identifiers(&wallets, &[], now_ms, "idn");
    // Settings that are off drop these without a word, as Clerk does.
    let backup_codes = if super::settings::keeps_backup_codes(&settings) {
        body.strings("backup_codes")
    } else {
        Vec::new()
    };
    let (digest, hasher) = match (digest, hasher, &password) {
        (None, _, Some(p)) => (stored_plaintext(p), Some("bcrypt".to_owned())),
        (d, h, _) => (d, h),
    };
    let user = StoredUser {
        id: object_id("user"),
        seq: store.next_seq(),
        external_id,
        first_name: body.str("first_name"),
        last_name: body.str("last_name"),
        username,
        locale: body.str("locale"),
        primary_email_id: emails.first().map(|e| e.id.clone()),
        primary_phone_id: phones.first().map(|p| p.id.clone()),
        primary_web3_id: wallets.first().map(|w| w.id.clone()),
        emails,
        phones,
        web3_wallets: wallets,
        password_enabled: has_password,
        password_digest: digest,
        password_hasher: hasher,
        totp_enabled: body.has("totp_secret") && super::settings::keeps_totp(&settings),
        backup_codes,
        public_metadata: body.object("public_metadata").unwrap_or_default(),
        private_metadata: body.object("private_metadata").unwrap_or_default(),
        unsafe_metadata: body.object("unsafe_metadata").unwrap_or_default(),
        banned: body.bool("banned").unwrap_or(false),
        locked: body.bool("locked").unwrap_or(false),
        created_at,
        updated_at: now_ms,
        last_sign_in_at: None,
        legal_accepted_at,
        delete_self_enabled: body.bool("delete_self_enabled").unwrap_or(true),
        create_organization_enabled: body.bool("create_organization_enabled").unwrap_or(true),
        create_organizations_limit: body.int("create_organizations_limit"),
        bypass_client_trust: body.bool("bypass_client_trust").unwrap_or(false),
    };
    let rendered = render(&user);
    store.insert(user);
    drop(store);
    shared.note_created();
    Ok(rendered)
}

/// A plaintext password is kept only as a bcrypt digest, so `verify_password` treats it
/// like any imported hash. The low cost keeps bulk creates cheap; this is a test double.
fn stored_plaintext(password: &str) -> Option<String> {
    bcrypt::hash(password, 4).ok()
}

/// Renders a stored user as the spec's `User` object (no key outside the schema).
pub fn render(u: &StoredUser) -> Value {
    let verification = |i: &Identifier| {
        if i.verified {
            json!({
                "object": "verification_admin",
                "status": "verified",
                "strategy": "admin",
                "attempts": null,
                "expire_at": null,
            })
        } else {
            Value::Null
        }
    };
    let emails: Vec<Value> = u
        .emails
        .iter()
        .map(|e| render_email(e, verification(e)))
        .collect();
    let phones: Vec<Value> = u
        .phones
        .iter()
        .map(|p| render_phone(p, verification(p)))
        .collect();
    let wallets: Vec<Value> = u
        .web3_wallets
        .iter()
        .map(|w| {
            json!({
                "id": w.id, "object": "web3_wallet", "web3_wallet": w.value,
                "verification": verification(w), "created_at": w.created_at, "updated_at": w.created_at,
            })
        })
        .collect();
    let backup_enabled = !u.backup_codes.is_empty();
    json!({
        "id": u.id,
        "object": "user",
        "external_id": u.external_id,
        "primary_email_address_id": u.primary_email_id,
        "primary_phone_number_id": u.primary_phone_id,
        "primary_web3_wallet_id": u.primary_web3_id,
        "username": u.username,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "locale": u.locale,
        "image_url": "https://img.clerk.com/default",
        "has_image": false,
        "public_metadata": u.public_metadata,
        "private_metadata": u.private_metadata,
        "unsafe_metadata": u.unsafe_metadata,
        "email_addresses": emails,
        "phone_numbers": phones,
        "web3_wallets": wallets,
        "passkeys": [],
        "password_enabled": u.password_enabled,
        "two_factor_enabled": u.totp_enabled || backup_enabled,
        "totp_enabled": u.totp_enabled,
        "backup_code_enabled": backup_enabled,
        "mfa_enabled_at": null,
        "mfa_disabled_at": null,
        "password_last_updated_at": if u.password_enabled { Some(u.created_at) } else { None },
        "external_accounts": [],
        "saml_accounts": [],
        "enterprise_accounts": [],
        "organization_memberships": [],
        "last_sign_in_at": u.last_sign_in_at,
        "banned": u.banned,
        "locked": u.locked,
        "deprovisioned": false,
        "lockout_expires_in_seconds": null,
        "verification_attempts_remaining": null,
        "updated_at": u.updated_at,
        "created_at": u.created_at,
        "delete_self_enabled": u.delete_self_enabled,
        "create_organization_enabled": u.create_organization_enabled,
        "create_organizations_limit": u.create_organizations_limit,
        "last_active_at": null,
        "legal_accepted_at": u.legal_accepted_at,
        "bypass_client_trust": u.bypass_client_trust,
    })
}

pub fn render_email(e: &Identifier, verification: Value) -> Value {
    json!({
        "id": e.id, "object": "email_address", "email_address": e.value,
        "reserved": e.reserved, "verification": verification, "linked_to": [],
        "matches_sso_connection": false, "created_at": e.created_at, "updated_at": e.created_at,
    })
}

pub fn render_phone(p: &Identifier, verification: Value) -> Value {
    json!({
        "id": p.id, "object": "phone_number", "phone_number": p.value,
        "reserved_for_second_factor": false, "default_second_factor": false,
        "reserved": p.reserved, "verification": verification, "linked_to": [],
        "backup_codes": null, "created_at": p.created_at, "updated_at": p.created_at,
    })
}

/// Parsed `GET /v1/users` and `/v1/users/count` parameters.
#[derive(Default)]
struct ListQuery {
    filters: Vec<(String, Vec<String>)>,
    query: Option<String>,
    limit: usize,
    offset: usize,
    order_by: String,
    /// `created_at_after` / `created_at_before`: strictly after / before, in ms.
    created_after: Option<i64>,
    created_before: Option<i64>,
}

const FILTERS: [&str; 5] = [
    "external_id",
    "email_address",
    "phone_number",
    "username",
    "user_id",
];

fn parse_query(raw: Option<String>, paged: bool) -> Result<ListQuery, ApiError> {
    let mut q = ListQuery {
        limit: 10,
        order_by: "-created_at".to_owned(),
        ..ListQuery::default()
    };
    let raw = raw.unwrap_or_default();
    for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
        let key = key.trim_end_matches("[]");
        let int = |name: &str, min: usize, max: usize| -> Result<usize, ApiError> {
            value
                .parse::<usize>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    ApiError::form(
                        "form_param_value_invalid",
                        "is invalid",
                        format!("{name} is invalid. Must be between {min} and {max}."),
                        name,
                    )
                })
        };
        match key {
            k if FILTERS.contains(&k) => match q.filters.iter_mut().find(|(n, _)| n == k) {
                // Clerk's filters accept up to 100 values each.
                Some((_, values)) if values.len() >= 100 => {
                    return Err(ApiError::form(
                        "form_param_value_invalid",
                        "is invalid",
                        format!("{k} accepts up to 100 values."),
                        k,
                    ));
                }
                Some((_, values)) => values.push(value.into_owned()),
                None => q.filters.push((k.to_owned(), vec![value.into_owned()])),
            },
            "query" => q.query = Some(value.into_owned()),
            "created_at_after" | "created_at_before" => {
                let ms = value.parse::<i64>().map_err(|_| {
                    ApiError::form(
                        "form_param_value_invalid",
                        "is invalid",
                        format!("{key} must be a time in milliseconds since the epoch."),
                        key,
                    )
                })?;
                if key == "created_at_after" {
                    q.created_after = Some(ms);
                } else {
                    q.created_before = Some(ms);
                }
            }
            "limit" if paged => q.limit = int("limit", 1, 500)?,
            "offset" if paged => q.offset = int("offset", 0, usize::MAX)?,
            "order_by" if paged => {
                let field = value.trim_start_matches(['+', '-']);
                const ORDERABLE: [&str; 7] = [
                    "created_at",
                    "updated_at",
                    "email_address",
                    "first_name",
                    "last_name",
                    "phone_number",
                    "username",
                ];
                if !ORDERABLE.contains(&field) {
                    return Err(ApiError::form(
                        "form_param_value_invalid",
                        "is invalid",
                        format!(
                            "{value} does not match one of the allowed values for parameter order_by"
                        ),
                        "order_by",
                    ));
                }
                q.order_by = value.into_owned();
            }
            // Other documented filters (banned, time ranges, …) are accepted and ignored.
            _ => {}
        }
    }
    Ok(q)
}

fn matches(u: &StoredUser, q: &ListQuery) -> bool {
    let filter_ok = q.filters.iter().all(|(name, values)| {
        // `+value` includes and `-value` excludes, for Clerk's two id filters only: a
        // phone number's `+` is part of it.
        let signed = matches!(name.as_str(), "external_id" | "user_id");
        let (exclude, include): (Vec<&String>, Vec<&String>) =
            values.iter().partition(|v| signed && v.starts_with('-'));
        let has = |v: &str| -> bool {
            match name.as_str() {
                "external_id" => u.external_id.as_deref() == Some(v),
                "user_id" => u.id == v,
                "email_address" => u.emails.iter().any(|e| e.value.eq_ignore_ascii_case(v)),
                "phone_number" => u.phones.iter().any(|p| p.value == v),
                "username" => u
                    .username
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(v)),
                _ => false,
            }
        };
        let strip = |v: &'_ String| -> String {
            if signed {
                v.trim_start_matches('+').to_owned()
            } else {
                v.to_string()
            }
        };
        let included = include.is_empty() || include.iter().any(|v| has(&strip(v)));
        let excluded = exclude.iter().any(|v| has(&v[1..]));
        included && !excluded
    });
    let query_ok = q.query.as_deref().is_none_or(|needle| {
        let needle = needle.to_lowercase();
        let hay = [
            Some(u.id.as_str()),
            u.username.as_deref(),
            u.first_name.as_deref(),
            u.last_name.as_deref(),
        ];
        hay.iter()
            .flatten()
            .any(|h| h.to_lowercase().contains(&needle))
            || u.emails
                .iter()
                .any(|e| e.value.to_lowercase().contains(&needle))
            || u.phones.iter().any(|p| p.value.contains(&needle))
    });
    let time_ok = q.created_after.is_none_or(|t| u.created_at > t)
        && q.created_before.is_none_or(|t| u.created_at < t);
    filter_ok && query_ok && time_ok
}

fn select<'a>(store: &'a Store, q: &ListQuery) -> Vec<&'a StoredUser> {
    // An external_id or user_id filter narrows the scan through the indexes.
    let indexed = q.filters.iter().find_map(|(name, values)| {
        let index = match name.as_str() {
            "external_id" => &store.external_ids,
            "user_id" => &store.by_id,
            _ => return None,
        };
        values
            .iter()
            .all(|v| !v.starts_with('-'))
            .then_some((index, values))
    });
    let candidates: Vec<&StoredUser> = match indexed {
        Some((index, values)) => values
            .iter()
            .filter_map(|v| index.get(v.trim_start_matches('+')))
            .filter_map(|seq| store.users.get(seq))
            .collect(),
        None => store.users.values().collect(),
    };
    let mut seen = std::collections::HashSet::new();
    candidates
        .into_iter()
        .filter(|u| seen.insert(u.seq) && matches(u, q))
        .collect()
}

fn sort_key(u: &StoredUser, field: &str) -> (String, i64, u64) {
    let text = match field {
        "email_address" => u.emails.first().map(|e| e.value.to_lowercase()),
        "phone_number" => u.phones.first().map(|p| p.value.clone()),
        "first_name" => u.first_name.clone(),
        "last_name" => u.last_name.clone(),
        "username" => u.username.clone(),
        _ => None,
    };
    let time = if field == "updated_at" {
        u.updated_at
    } else {
        u.created_at
    };
    (text.unwrap_or_default(), time, u.seq)
}

pub async fn list(
    State(shared): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let q = parse_query(raw, true)?;
    let store = shared.store();
    let mut users = select(&store, &q);
    let descending = q.order_by.starts_with('-');
    let field = q.order_by.trim_start_matches(['+', '-']).to_owned();
    users.sort_by_cached_key(|u| sort_key(u, &field));
    if descending {
        users.reverse();
    }
    let page: Vec<Value> = users
        .into_iter()
        .skip(q.offset)
        .take(q.limit)
        .map(render)
        .collect();
    Ok(Json(Value::Array(page)))
}

pub async fn count(
    State(shared): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let q = parse_query(raw, false)?;
    let store = shared.store();
    let n = select(&store, &q).len();
    Ok(Json(json!({ "object": "total_count", "total_count": n })))
}

pub async fn get_one(
    State(shared): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let store = shared.store();
    store
        .get(&id)
        .map(|u| Json(render(u)))
        .ok_or_else(|| ApiError::user_not_found(&id))
}

pub async fn delete(
    State(shared): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let removed = shared.store().remove(&id);
    match removed {
        Some(u) => {
            let mut body = json!({ "object": "user", "id": u.id, "deleted": true });
            if let Some(x) = u.external_id {
                body["external_id"] = json!(x);
            }
            Ok(Json(body))
        }
        None => Err(ApiError::user_not_found(&id)),
    }
}

pub async fn ban(
    State(shared): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    set_banned(&shared, &id, true)
}

/// `POST /v1/users/{id}/unban`.
pub async fn unban(
    State(shared): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    set_banned(&shared, &id, false)
}

fn set_banned(shared: &Shared, id: &str, banned: bool) -> Result<Json<Value>, ApiError> {
    let mut store = shared.store();
    let now = Utc::now().timestamp_millis();
    store
        .update(id, |u| {
            u.banned = banned;
            u.updated_at = now;
            render(u)
        })
        .map(Json)
        .ok_or_else(|| ApiError::user_not_found(id))
}

pub async fn update(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = Body::parse(&bytes, UPDATE_FIELDS)?;
    let now = Utc::now();
    let mut store = shared.store();
    let seq = *store
        .by_id
        .get(&id)
        .ok_or_else(|| ApiError::user_not_found(&id))?;
    if let Some(u) = body.str("username") {
        check_unique(&store.usernames, &[u], lower, "username", Some(seq))?;
    }
    if let Some(x) = body.str("external_id") {
        check_unique(&store.external_ids, &[x], same, "external_id", Some(seq))?;
    }
    let created_at = body
        .str("created_at")
        .map(|t| validate::check_time("created_at", &t, now))
        .transpose()?;
    let legal = body
        .str("legal_accepted_at")
        .map(|t| validate::check_time("legal_accepted_at", &t, now))
        .transpose()?;
    if let (Some(d), Some(h)) = (body.str("password_digest"), body.str("password_hasher")) {
        validate::check_digest(&h, &d)?;
    }
    let rendered = store.update(&id, |u| {
        let set = |slot: &mut Option<String>, key: &str| {
            if body.present(key) {
                *slot = body.str(key).filter(|s| !s.is_empty());
            }
        };
        set(&mut u.external_id, "external_id");
        set(&mut u.first_name, "first_name");
        set(&mut u.last_name, "last_name");
        set(&mut u.locale, "locale");
        set(&mut u.username, "username");
        if let Some(b) = body.bool("delete_self_enabled") {
            u.delete_self_enabled = b;
        }
        if let Some(b) = body.bool("create_organization_enabled") {
            u.create_organization_enabled = b;
        }
        if let Some(n) = body.int("create_organizations_limit") {
            u.create_organizations_limit = Some(n);
        }
        if let Some(b) = body.bool("bypass_client_trust") {
            u.bypass_client_trust = b;
        }
        if let Some(t) = created_at {
            u.created_at = t;
        }
        if legal.is_some() {
            u.legal_accepted_at = legal;
        }
        if let Some(d) = body.str("password_digest") {
            u.password_digest = Some(d);
            u.password_hasher = body.str("password_hasher");
            u.password_enabled = true;
        } else if let Some(p) = body.str("password") {
            u.password_digest = stored_plaintext(&p);
            u.password_hasher = Some("bcrypt".to_owned());
            u.password_enabled = true;
        }
        if body.has("totp_secret") {
            u.totp_enabled = true;
        }
        u.updated_at = now.timestamp_millis();
        render(u)
    });
    rendered
        .map(Json)
        .ok_or_else(|| ApiError::user_not_found(&id))
}

pub async fn instance(State(shared): State<Shared>) -> Json<Value> {
    let env = if shared.config.is_production() {
        "production"
    } else {
        "development"
    };
    Json(json!({
        "object": "instance",
        "id": shared.instance_id,
        "environment_type": env,
        "allowed_origins": null,
        "workspace_id": null,
    }))
}
