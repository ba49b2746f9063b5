//! Organizations, their roles and memberships, as Clerk's Backend API serves them:
//! `POST /v1/organizations`, `GET`/`DELETE /v1/organizations/{id_or_slug}`, `GET
//! /v1/organization_roles`, `GET /v1/instance/organization_settings`, `POST`/`GET
//! /v1/organizations/{id}/memberships` and `DELETE …/memberships/{user_id}`, with the
//! errors Clerk's catalog gives (a feature turned off, a slug taken, a creator or member
//! who is not a user, a member twice, a full organization).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::envelope::ApiError;
use super::ids::object_id;
use super::state::{Shared, Store, StoredInvitation, StoredMembership, StoredOrg};
use super::validate::{self, Body, FieldType};

const ORG_FIELDS: &[(&str, FieldType)] = &[
    ("name", FieldType::Str),
    ("created_by", FieldType::NullableStr),
    ("private_metadata", FieldType::Object),
    ("public_metadata", FieldType::Object),
    ("slug", FieldType::NullableStr),
    ("max_allowed_memberships", FieldType::NullableInt),
    ("created_at", FieldType::NullableStr),
    ("role_set_key", FieldType::NullableStr),
];

const MEMBERSHIP_FIELDS: &[(&str, FieldType)] = &[
    ("user_id", FieldType::Str),
    ("role", FieldType::Str),
    ("public_metadata", FieldType::Object),
    ("private_metadata", FieldType::Object),
];

/// Clerk's longest organization name.
const MAX_NAME: usize = 256;

/// Refuses one more membership (or invitation) when `taken` places already fill the
/// organization's limit (0: none).
fn check_quota(org: &StoredOrg, taken: usize) -> Result<(), ApiError> {
    if org.max_allowed_memberships > 0 && taken as i64 >= org.max_allowed_memberships {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "organization_membership_quota_exceeded",
            "organization membership quota exceeded",
            format!(
                "You have reached your limit of {} organization memberships, including outstanding invitations.",
                org.max_allowed_memberships
            ),
        ));
    }
    Ok(())
}

/// Refuses every organization endpoint when the instance has organizations off.
fn enabled(shared: &Shared) -> Result<(), ApiError> {
    if shared.config.organizations {
        Ok(())
    } else {
        Err(not_enabled())
    }
}

fn not_enabled() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "organization_not_enabled_in_instance",
        "access denied",
        "The organizations feature is not enabled for this instance. You can enable it at https://dashboard.clerk.com.",
    )
}

fn org_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "resource_not_found",
        "not found",
        "Given organization not found.",
    )
}

fn membership_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "resource_not_found",
        "not found",
        "Given organization membership not found.",
    )
}

/// The body's `role`, which must be one of the instance's.
fn role_of(shared: &Shared, body: &Body) -> Result<String, ApiError> {
    let role = body.str("role").ok_or_else(|| missing("role"))?;
    if !shared.config.organization_roles.contains(&role) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "not found",
            "Organization role not found",
        )
        .with_meta("param_name", json!("role")));
    }
    Ok(role)
}

fn missing(param: &str) -> ApiError {
    ApiError::form(
        "form_param_missing",
        "is missing",
        format!("{param} must be included."),
        param,
    )
}

/// Whether Clerk accepts `slug`: lower-case letters, digits and `-`, one of the first two.
fn slug_ok(slug: &str) -> bool {
    slug.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && slug.bytes().any(|b| b.is_ascii_alphanumeric())
}

pub(crate) fn render(org: &StoredOrg) -> Value {
    json!({
        "object": "organization",
        "id": org.id,
        "name": org.name,
        "slug": org.slug,
        "image_url": "",
        "has_image": false,
        "members_count": org.members.len(),
        "max_allowed_memberships": org.max_allowed_memberships,
        "admin_delete_enabled": true,
        "public_metadata": org.public_metadata,
        "private_metadata": org.private_metadata,
        // The spec's `created_by` is a string, not nullable: empty when nobody created it.
        "created_by": org.created_by.as_deref().unwrap_or(""),
        "created_at": org.created_at,
        "updated_at": org.created_at,
    })
}

/// What a membership shows of its user: names, and the primary email address (else the
/// username) as the identifier.
fn public_user_data(store: &Store, user_id: &str) -> Value {
    let user = store.get(user_id);
    let identifier = user.and_then(|u| {
        u.primary_email_id
            .as_ref()
            .and_then(|id| u.emails.iter().find(|e| &e.id == id))
            .map(|e| e.value.clone())
            .or_else(|| u.username.clone())
    });
    json!({"user_id": user_id, "identifier": identifier.unwrap_or_default(),
        "first_name": user.and_then(|u| u.first_name.clone()),
        "last_name": user.and_then(|u| u.last_name.clone()),
        "image_url": "", "profile_image_url": "", "has_image": false})
}

fn render_membership(store: &Store, org: &StoredOrg, m: &StoredMembership) -> Value {
    json!({
        "object": "organization_membership",
        "id": m.id,
        "role": m.role,
        "permissions": [],
        "public_metadata": m.public_metadata,
        "private_metadata": m.private_metadata,
        "created_at": m.created_at,
        "updated_at": m.created_at,
        "organization": render(org),
        "public_user_data": public_user_data(store, &m.user_id),
    })
}

pub async fn create(State(shared): State<Shared>, bytes: Bytes) -> Result<Json<Value>, ApiError> {
    enabled(&shared)?;
    let body = Body::parse(&bytes, ORG_FIELDS)?;
    let name = body.str("name").ok_or_else(|| missing("name"))?;
    if name.trim().is_empty() {
        return Err(missing("name"));
    }
    if name.chars().count() > MAX_NAME {
        return Err(ApiError::form(
            "form_param_exceeds_allowed_size",
            "exceeds maximum length",
            format!("name should not exceed {MAX_NAME} characters."),
            "name",
        ));
    }
    validate::check_name("name", &name)?;
    let slug = body.str("slug");
    if let Some(s) = &slug
        && !slug_ok(s)
    {
        return Err(ApiError::form(
            "form_param_format_invalid",
            "is invalid",
            "slug can contain only lowercase alphanumeric characters and the dash \"-\".",
            "slug",
        ));
    }
    let created_at = match body.str("created_at") {
        None => Utc::now().timestamp_millis(),
        Some(at) => DateTime::parse_from_rfc3339(&at)
            .map_err(|_| {
                ApiError::form(
                    "form_param_format_invalid",
                    "is invalid",
                    "created_at must be a date and time in RFC 3339 format.",
                    "created_at",
                )
            })?
            .timestamp_millis(),
    };
    let max = body
        .int("max_allowed_memberships")
        .unwrap_or(shared.config.organization_max_memberships);
    if max < 0 {
        return Err(ApiError::form(
            "form_param_value_invalid",
            "is invalid",
            "max_allowed_memberships must be 0 or more.",
            "max_allowed_memberships",
        ));
    }
    let created_by = body.str("created_by");
    let mut store = shared.store();
    if let Some(user) = &created_by
        && !store.by_id.contains_key(user)
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "organization_creator_not_found",
            "creator not found",
            format!("No users found with id {user}."),
        ));
    }
    if let Some(s) = &slug
        && store.org_slugs.contains_key(s)
    {
        return Err(ApiError::form(
            "form_identifier_exists",
            "That slug is taken. Please try another.",
            "That slug is taken. Please try another.",
            "slug",
        ));
    }
    // The spec's `slug` is always a string: without one given, one is made from the name
    // (the sandbox's own choice of form), numbered when taken.
    let slug = slug.unwrap_or_else(|| free_slug(&store, &name));
    let mut org = StoredOrg {
        id: object_id("org"),
        name,
        slug: Some(slug.clone()),
        created_by: created_by.clone(),
        created_at,
        public_metadata: body.object("public_metadata").unwrap_or_default(),
        private_metadata: body.object("private_metadata").unwrap_or_default(),
        max_allowed_memberships: max,
        members: Vec::new(),
        invitations: Vec::new(),
    };
    // The creator becomes the organization's first admin.
    if let Some(user_id) = created_by {
        org.members.push(StoredMembership {
            id: object_id("orgmem"),
            user_id,
            role: "org:admin".to_owned(),
            created_at,
            public_metadata: Map::new(),
            private_metadata: Map::new(),
        });
    }
    let rendered = render(&org);
    store.org_slugs.insert(slug, org.id.clone());
    store.orgs.insert(org.id.clone(), org);
    Ok(Json(rendered))
}

/// A slug made from `name` that no organization has yet.
fn free_slug(store: &Store, name: &str) -> String {
    let mut base = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            base.push(c);
        } else if !base.is_empty() && !base.ends_with('-') {
            base.push('-');
        }
    }
    let base = base.trim_end_matches('-');
    let base = if base.is_empty() { "org" } else { base };
    let mut slug = base.to_owned();
    let mut n = 1;
    while store.org_slugs.contains_key(&slug) {
        n += 1;
        slug = format!("{base}-{n}");
    }
    slug
}

/// The organization with this ID, or this slug.
fn find<'a>(store: &'a Store, id_or_slug: &str) -> Option<&'a StoredOrg> {
    store.orgs.get(id_or_slug).or_else(|| {
        store
            .org_slugs
            .get(id_or_slug)
            .and_then(|id| store.orgs.get(id))
    })
}

pub async fn get(
    State(shared): State<Shared>,
    Path(id_or_slug): Path<String>,
) -> Result<Json<Value>, ApiError> {
    enabled(&shared)?;
    let store = shared.store();
    find(&store, &id_or_slug)
        .map(|o| Json(render(o)))
        .ok_or_else(org_not_found)
}

pub async fn roles(State(shared): State<Shared>) -> Result<Json<Value>, ApiError> {
    enabled(&shared)?;
    let data: Vec<Value> = shared
        .config
        .organization_roles
        .iter()
        .map(|key| {
            let name = key.trim_start_matches("org:");
            json!({"object": "role", "id": format!("role_{name}"), "key": key, "name": name,
                "description": null, "is_creator_eligible": key == "org:admin",
                "permissions": [], "created_at": 0, "updated_at": 0})
        })
        .collect();
    Ok(Json(json!({"data": data, "total_count": data.len()})))
}

pub async fn add_member(
    State(shared): State<Shared>,
    Path(org_id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    enabled(&shared)?;
    let body = Body::parse(&bytes, MEMBERSHIP_FIELDS)?;
    let user_id = body.str("user_id").ok_or_else(|| missing("user_id"))?;
    let role = role_of(&shared, &body)?;
    let mut store = shared.store();
    if !store.by_id.contains_key(&user_id) {
        return Err(ApiError::user_not_found(&user_id));
    }
    let Some(org) = store.orgs.get_mut(&org_id) else {
        return Err(org_not_found());
    };
    if org.members.iter().any(|m| m.user_id == user_id) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "already_a_member_in_organization",
            "already a member",
            format!("{user_id} is already a member of the organization."),
        ));
    }
    check_quota(org, org.members.len())?;
    let membership = StoredMembership {
        id: object_id("orgmem"),
        user_id,
        role,
        created_at: Utc::now().timestamp_millis(),
        public_metadata: body.object("public_metadata").unwrap_or_default(),
        private_metadata: body.object("private_metadata").unwrap_or_default(),
    };
    org.members.push(membership);
    let org = org.clone();
    let m = org
        .members
        .last()
        .map(|m| render_membership(&store, &org, m));
    Ok(Json(m.unwrap_or(Value::Null)))
}

/// `limit` (1 to 500, default 10) and `offset` of a list request.
fn paging(raw: Option<String>) -> Result<(usize, usize), ApiError> {
    let (mut limit, mut offset) = (10, 0);
    for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let n = v.parse::<usize>().ok();
        match (k.as_ref(), n) {
            ("limit", Some(n)) if (1..=500).contains(&n) => limit = n,
            ("offset", Some(n)) => offset = n,
            ("limit" | "offset", _) => {
                return Err(ApiError::form(
                    "form_param_value_invalid",
                    "is invalid",
                    format!("{k} must be a number (limit: 1 to 500)."),
                    k.as_ref(),
                ));
            }
            _ => {}
        }
    }
    Ok((limit, offset))
}

pub async fn members(
    State(shared): State<Shared>,
    Path(org_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    enabled(&shared)?;
    let (limit, offset) = paging(raw)?;
    let store = shared.store();
    let org = store.orgs.get(&org_id).ok_or_else(org_not_found)?;
    let data: Vec<Value> = org
        .members
        .iter()
        .skip(offset)
        .take(limit)
        .map(|m| render_membership(&store, org, m))
        .collect();
    Ok(Json(
        json!({"data": data, "total_count": org.members.len()}),
    ))
}

/// `GET /v1/organizations`: a page of organizations, `order_by` `created_at` (oldest
/// first with `+`, the default newest first), `name` or `members_count`.
pub async fn list(
    State(shared): State<Shared>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    enabled(&shared)?;
    let order = form_urlencoded::parse(raw.clone().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "order_by")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| "-created_at".to_owned());
    let (limit, offset) = paging(raw)?;
    let store = shared.store();
    let mut all: Vec<&StoredOrg> = store.orgs.values().collect();
    match order.trim_start_matches(['+', '-']) {
        "created_at" => all.sort_by_key(|o| (o.created_at, o.id.clone())),
        "name" => all.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id))),
        "members_count" => all.sort_by_key(|o| (o.members.len(), o.id.clone())),
        _ => {
            return Err(ApiError::form(
                "form_param_value_invalid",
                "is invalid",
                "order_by must be created_at, name or members_count, with an optional + or -.",
                "order_by",
            ));
        }
    }
    if order.starts_with('-') {
        all.reverse();
    }
    let total = all.len();
    let data: Vec<Value> = all
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(render)
        .collect();
    Ok(Json(json!({"data": data, "total_count": total})))
}

/// `DELETE /v1/organizations/{id}`: the organization and its memberships go.
pub async fn delete(
    State(shared): State<Shared>,
    Path(org_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    enabled(&shared)?;
    let mut store = shared.store();
    let org = store.orgs.remove(&org_id).ok_or_else(org_not_found)?;
    if let Some(slug) = &org.slug {
        store.org_slugs.remove(slug);
    }
    Ok(Json(
        json!({"object": "organization", "id": org.id, "slug": org.slug, "deleted": true}),
    ))
}

/// `DELETE /v1/organizations/{id}/memberships/{user_id}`: answers the membership removed.
pub async fn remove_member(
    State(shared): State<Shared>,
    Path((org_id, user_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    enabled(&shared)?;
    let mut store = shared.store();
    let org = store.orgs.get_mut(&org_id).ok_or_else(org_not_found)?;
    let Some(at) = org.members.iter().position(|m| m.user_id == user_id) else {
        return Err(membership_not_found());
    };
    let m = org.members.remove(at);
    let org = org.clone();
    Ok(Json(render_membership(&store, &org, &m)))
}

const MEMBERSHIP_METADATA_FIELDS: &[(&str, FieldType)] = &[
    ("public_metadata", FieldType::Object),
    ("private_metadata", FieldType::Object),
];

/// Merges `patch` into `into` as Clerk's metadata endpoints do: nested objects merged,
/// a `null` removing its key.
fn deep_merge(into: &mut Map<String, Value>, patch: Map<String, Value>) {
    for (k, v) in patch {
        match (into.get_mut(&k), v) {
            (_, Value::Null) => {
                into.remove(&k);
            }
            (Some(Value::Object(old)), Value::Object(new)) => deep_merge(old, new),
            (_, v) => {
                into.insert(k, v);
            }
        }
    }
}

/// `PATCH /v1/organizations/{id}/memberships/{user_id}/metadata`: merged, as Clerk's spec
/// says.
pub async fn update_member_metadata(
    State(shared): State<Shared>,
    Path((org_id, user_id)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    enabled(&shared)?;
    let body = Body::parse(&bytes, MEMBERSHIP_METADATA_FIELDS)?;
    let mut store = shared.store();
    let org = store.orgs.get_mut(&org_id).ok_or_else(org_not_found)?;
    let Some(m) = org.members.iter_mut().find(|m| m.user_id == user_id) else {
        return Err(membership_not_found());
    };
    if let Some(public) = body.object("public_metadata") {
        deep_merge(&mut m.public_metadata, public);
    }
    if let Some(private) = body.object("private_metadata") {
        deep_merge(&mut m.private_metadata, private);
    }
    let m = m.clone();
    let org = org.clone();
    Ok(Json(render_membership(&store, &org, &m)))
}

/// `GET /v1/instance/organization_settings`.
pub async fn settings(State(shared): State<Shared>) -> Json<Value> {
    let c = &shared.config;
    Json(json!({
        "object": "organization_settings",
        "enabled": c.organizations,
        "max_allowed_memberships": c.organization_max_memberships,
        "max_allowed_roles": 10,
        "max_allowed_domains": 10,
        "creator_role": "org:admin",
        "admin_delete_enabled": true,
        "domains_enabled": false,
        "slug_disabled": false,
        "domains_enrollment_modes": [],
        "domains_default_role": "org:member",
    }))
}

const INVITATION_FIELDS: &[(&str, FieldType)] = &[
    ("email_address", FieldType::Str),
    ("role", FieldType::Str),
    ("inviter_user_id", FieldType::NullableStr),
    ("public_metadata", FieldType::Object),
    ("private_metadata", FieldType::Object),
    ("redirect_url", FieldType::NullableStr),
    ("expires_in_days", FieldType::NullableInt),
    ("notify", FieldType::NullableBool),
];

/// Clerk's default lifetime of an organization invitation.
const INVITATION_DAYS: i64 = 30;

fn render_invitation(org: &StoredOrg, i: &StoredInvitation) -> Value {
    json!({
        "object": "organization_invitation",
        "id": i.id,
        "email_address": i.email_address,
        "role": i.role,
        "role_name": i.role.trim_start_matches("org:"),
        "organization_id": org.id,
        "inviter_id": null,
        "public_inviter_data": null,
        "status": i.status,
        "public_metadata": i.public_metadata,
        "private_metadata": i.private_metadata,
        "url": null,
        "expires_at": i.created_at + INVITATION_DAYS * 86_400_000,
        "created_at": i.created_at,
        "updated_at": i.created_at,
    })
}

fn too_many(secs: u64) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
        "Too many requests",
        "Too many requests, retry later",
    );
    e.retry_after = Some(secs);
    e
}

/// One invitation checked against the organization and made, not yet stored.
fn invitation(
    shared: &Shared,
    org: &StoredOrg,
    body: &Body,
    also: &[StoredInvitation],
) -> Result<StoredInvitation, ApiError> {
    let email = body
        .str("email_address")
        .ok_or_else(|| missing("email_address"))?;
    if !email.contains('@') {
        return Err(ApiError::form(
            "form_param_format_invalid",
            "is invalid",
            "email_address must be a valid email address.",
            "email_address",
        ));
    }
    let role = role_of(shared, body)?;
    let pending = org
        .invitations
        .iter()
        .chain(also)
        .filter(|i| i.status == "pending");
    if pending
        .clone()
        .any(|i| i.email_address.eq_ignore_ascii_case(&email))
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "organization_invitation_not_unique",
            "organization invitation not unique",
            "Organizations cannot have duplicate pending invitations for an email address.",
        ));
    }
    check_quota(org, org.members.len() + pending.count())?;
    Ok(StoredInvitation {
        id: object_id("orginv"),
        email_address: email,
        role,
        status: "pending".to_owned(),
        created_at: Utc::now().timestamp_millis(),
        public_metadata: body.object("public_metadata").unwrap_or_default(),
        private_metadata: body.object("private_metadata").unwrap_or_default(),
    })
}

/// `POST /v1/organizations/{id}/invitations`, under its hourly limit.
pub async fn invite(
    State(shared): State<Shared>,
    Path(org_id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    enabled(&shared)?;
    shared.admit_invitation(false).map_err(too_many)?;
    let body = Body::parse(&bytes, INVITATION_FIELDS)?;
    let mut store = shared.store();
    let org = store.orgs.get_mut(&org_id).ok_or_else(org_not_found)?;
    let made = invitation(&shared, org, &body, &[])?;
    let rendered = render_invitation(org, &made);
    org.invitations.push(made);
    Ok(Json(rendered))
}

/// `POST /v1/organizations/{id}/invitations/bulk`: up to 10, all or none.
pub async fn invite_bulk(
    State(shared): State<Shared>,
    Path(org_id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    enabled(&shared)?;
    shared.admit_invitation(true).map_err(too_many)?;
    let items: Vec<Value> = match serde_json::from_slice(&bytes) {
        Ok(Value::Array(items)) if (1..=10).contains(&items.len()) => items,
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "form_param_value_invalid",
                "is invalid",
                "The request body must be an array of 1 to 10 invitations.",
            ));
        }
    };
    let mut store = shared.store();
    let org = store.orgs.get_mut(&org_id).ok_or_else(org_not_found)?;
    let mut made: Vec<StoredInvitation> = Vec::new();
    for item in items {
        let bytes = Bytes::from(serde_json::to_vec(&item).unwrap_or_default());
        let body = Body::parse(&bytes, INVITATION_FIELDS)?;
        let one = invitation(&shared, org, &body, &made)?;
        made.push(one);
    }
    let data: Vec<Value> = made.iter().map(|i| render_invitation(org, i)).collect();
    org.invitations.extend(made);
    Ok(Json(json!({"data": data, "total_count": data.len()})))
}

/// `GET /v1/organizations/{id}/invitations`, `status` filtered.
pub async fn invitations(
    State(shared): State<Shared>,
    Path(org_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    enabled(&shared)?;
    let statuses: Vec<String> = form_urlencoded::parse(raw.clone().unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == "status")
        .map(|(_, v)| v.into_owned())
        .collect();
    let (limit, offset) = paging(raw)?;
    let store = shared.store();
    let org = store.orgs.get(&org_id).ok_or_else(org_not_found)?;
    let chosen: Vec<&StoredInvitation> = org
        .invitations
        .iter()
        .filter(|i| statuses.is_empty() || statuses.contains(&i.status))
        .collect();
    let data: Vec<Value> = chosen
        .iter()
        .skip(offset)
        .take(limit)
        .map(|i| render_invitation(org, i))
        .collect();
    Ok(Json(json!({"data": data, "total_count": chosen.len()})))
}
