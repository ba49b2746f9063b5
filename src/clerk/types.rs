//! BAPI wire types: what the client sends and the parts of responses it reads.
//! A leaf module: field names follow Clerk's spec (`2026-05-12.yml`) exactly.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The body of `POST /v1/users` (`CreateUser`). `None` and empty lists are omitted, so a
/// payload carries only what the source had.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateUserRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub email_address: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub email_address_identification_status: Vec<IdentificationStatus>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub phone_number: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub phone_number_identification_status: Vec<IdentificationStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_hasher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_password_checks: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_password_requirement: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub backup_codes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_metadata: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unsafe_metadata: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_self_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_accepted_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_legal_checks: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_user_requirement: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_organization_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_organizations_limit: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bypass_client_trust: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banned: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked: Option<bool>,
}

/// How `CreateUser` creates one email address or phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentificationStatus {
    /// Verified, as if confirmed by an admin.
    Verified,
    /// Unverified, but usable for sign-in and locked to this user.
    Reserved,
}

/// The body of `POST /v1/email_addresses`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateEmailAddressRequest {
    pub user_id: String,
    pub email_address: String,
    pub verified: bool,
    pub primary: bool,
}

/// The body of `POST /v1/phone_numbers`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreatePhoneNumberRequest {
    pub user_id: String,
    pub phone_number: String,
    pub verified: bool,
    pub primary: bool,
}

/// The verification part of an email address or phone number.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Verification {
    pub status: Option<String>,
    pub strategy: Option<String>,
}

/// An email address as `User.email_addresses[]` holds it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EmailAddress {
    pub id: Option<String>,
    pub email_address: String,
    #[serde(default)]
    pub reserved: bool,
    pub verification: Option<Verification>,
}

/// A phone number as `User.phone_numbers[]` holds it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PhoneNumber {
    pub id: Option<String>,
    pub phone_number: String,
    #[serde(default)]
    pub reserved: bool,
    pub verification: Option<Verification>,
}

impl EmailAddress {
    /// True when Clerk counts the address as verified.
    pub fn is_verified(&self) -> bool {
        self.verification
            .as_ref()
            .is_some_and(|v| v.status.as_deref() == Some("verified"))
    }
}

impl PhoneNumber {
    /// True when Clerk counts the number as verified.
    pub fn is_verified(&self) -> bool {
        self.verification
            .as_ref()
            .is_some_and(|v| v.status.as_deref() == Some("verified"))
    }
}

/// The parts of Clerk's `User` object this tool reads back.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct User {
    pub id: String,
    pub external_id: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub primary_email_address_id: Option<String>,
    pub primary_phone_number_id: Option<String>,
    #[serde(default)]
    pub email_addresses: Vec<EmailAddress>,
    #[serde(default)]
    pub phone_numbers: Vec<PhoneNumber>,
    #[serde(default)]
    pub public_metadata: Map<String, Value>,
    #[serde(default)]
    pub private_metadata: Option<Map<String, Value>>,
    #[serde(default)]
    pub unsafe_metadata: Map<String, Value>,
    #[serde(default)]
    pub password_enabled: bool,
    #[serde(default)]
    pub totp_enabled: bool,
    #[serde(default)]
    pub backup_code_enabled: bool,
    #[serde(default)]
    pub banned: bool,
    #[serde(default)]
    pub locked: bool,
    pub created_at: i64,
    /// When the user last signed in; Clerk sets none when the Backend API creates a user.
    #[serde(default)]
    pub last_sign_in_at: Option<i64>,
    pub legal_accepted_at: Option<i64>,
    #[serde(default)]
    pub delete_self_enabled: bool,
    #[serde(default)]
    pub create_organization_enabled: bool,
    pub create_organizations_limit: Option<i64>,
}

/// `GET /v1/instance`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Instance {
    pub id: String,
    pub environment_type: String,
}

/// `GET /v1/domains`.
#[derive(Debug, Clone, Deserialize)]
pub struct Domains {
    pub data: Vec<Domain>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Domain {
    pub frontend_api_url: String,
    #[serde(default)]
    pub is_satellite: bool,
}

/// The Frontend API's environment: only its sign-up settings are read.
#[derive(Debug, Clone, Deserialize)]
pub struct Environment {
    pub user_settings: serde_json::Value,
}

/// `DELETE /v1/users/{id}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DeletedObject {
    pub id: Option<String>,
    pub deleted: bool,
}

/// `GET /v1/users/count`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TotalCount {
    pub total_count: u64,
}

/// Filters and paging for `GET /v1/users` (repeatable filters are sent as repeated keys).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserQuery {
    pub external_id: Vec<String>,
    pub user_id: Vec<String>,
    pub email_address: Vec<String>,
    pub phone_number: Vec<String>,
    pub username: Vec<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    pub order_by: Option<String>,
    /// Created strictly after / before these times, in ms since the epoch.
    pub created_at_after: Option<i64>,
    pub created_at_before: Option<i64>,
}

impl UserQuery {
    /// The query as `(key, value)` pairs for the URL.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        out.extend(self.external_id.iter().map(|v| ("external_id", v.clone())));
        out.extend(self.user_id.iter().map(|v| ("user_id", v.clone())));
        out.extend(
            self.email_address
                .iter()
                .map(|v| ("email_address", v.clone())),
        );
        out.extend(
            self.phone_number
                .iter()
                .map(|v| ("phone_number", v.clone())),
        );
        out.extend(self.username.iter().map(|v| ("username", v.clone())));
        if let Some(l) = self.limit {
            out.push(("limit", l.to_string()));
        }
        if let Some(o) = self.offset {
            out.push(("offset", o.to_string()));
        }
        if let Some(o) = &self.order_by {
            out.push(("order_by", o.clone()));
        }
        if let Some(t) = self.created_at_after {
            out.push(("created_at_after", t.to_string()));
        }
        if let Some(t) = self.created_at_before {
            out.push(("created_at_before", t.to_string()));
        }
        out
    }
}

/// The body of `POST /v1/users/{id}/verify_password`.
#[derive(Serialize)]
pub struct VerifyPasswordRequest<'a> {
    pub password: &'a str,
}

/// Its answer.
#[derive(Debug, Clone, Deserialize)]
pub struct VerifyPasswordResponse {
    pub verified: bool,
}

/// The body of `POST /v1/organizations`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateOrganizationRequest {
    pub name: String,
    pub slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_allowed_memberships: Option<u64>,
    pub public_metadata: Map<String, Value>,
    pub private_metadata: Map<String, Value>,
}

/// The parts of Clerk's `Organization` object this tool reads back.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Organization {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub max_allowed_memberships: Option<i64>,
    #[serde(default)]
    pub public_metadata: Map<String, Value>,
    #[serde(default)]
    pub private_metadata: Map<String, Value>,
    #[serde(default)]
    pub created_at: Option<i64>,
}

/// The body of `POST /v1/organizations/{id}/memberships`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateMembershipRequest {
    pub user_id: String,
    pub role: String,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub private_metadata: Map<String, Value>,
}

/// The parts of Clerk's `OrganizationMembership` this tool reads back.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Membership {
    pub id: String,
    pub role: String,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub private_metadata: Map<String, Value>,
    #[serde(default)]
    pub public_user_data: Option<MemberUser>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MemberUser {
    pub user_id: String,
}

/// A page of a list Clerk answers as `{data, total_count}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub total_count: u64,
}

/// One organization role of the instance (`GET /v1/organization_roles`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrganizationRole {
    pub key: String,
    #[serde(default)]
    pub name: String,
}

/// `GET /v1/instance/organization_settings`: what the instance allows organizations.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrganizationSettings {
    pub enabled: bool,
    /// Members an organization may have by default; 0 for no limit.
    #[serde(default)]
    pub max_allowed_memberships: i64,
    /// The role an organization's creator gets.
    pub creator_role: String,
    #[serde(default)]
    pub slug_disabled: bool,
}

/// The body of `PATCH /v1/organizations/{id}/memberships/{user_id}/metadata` (merged).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MembershipMetadataRequest {
    pub private_metadata: Map<String, Value>,
}

/// The body of `POST /v1/organizations/{id}/invitations` (and one item of the bulk one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateInvitationRequest {
    pub email_address: String,
    pub role: String,
}

/// The parts of Clerk's `OrganizationInvitation` this tool reads back.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrganizationInvitation {
    pub id: String,
    pub email_address: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}
