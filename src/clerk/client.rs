//! One HTTP call to BAPI at a time, mapped to typed results. The caller paces and retries.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, RequestBuilder};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{ApiError, ClientError};
use super::types::*;

/// The API version this tool is written against (the `Clerk-API-Version` of Clerk's Backend API spec).
pub const API_VERSION: &str = "2026-05-12";

/// How to reach Clerk.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Base URL without `/v1`, e.g. `https://api.clerk.com`.
    pub base_url: String,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            base_url: "https://api.clerk.com".to_owned(),
            timeout: Duration::from_secs(30),
        }
    }
}

/// A BAPI client bound to one instance (one secret key). Cheap to clone.
#[derive(Clone, Debug)]
pub struct ClerkClient {
    http: reqwest::Client,
    base: String,
    timeout: Duration,
}

impl ClerkClient {
    /// Builds a client; the key goes into a header marked sensitive, never into a log.
    pub fn new(options: &ClientOptions, key: &SecretString) -> Result<Self, ClientError> {
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", key.expose_secret())).map_err(|_| {
                ClientError::Decode {
                    what: "secret key",
                    detail: "the key contains characters that cannot go in an HTTP header".into(),
                }
            })?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert("Clerk-API-Version", HeaderValue::from_static(API_VERSION));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("migrate/", env!("CARGO_PKG_VERSION")))
            .timeout(options.timeout)
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ClientError::Decode {
                what: "HTTP client",
                detail: e.to_string(),
            })?;
        Ok(Self {
            http,
            base: options.base_url.trim_end_matches('/').to_owned(),
            timeout: options.timeout,
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1{}", self.base, path)
    }

    async fn send<T: DeserializeOwned>(
        &self,
        what: &'static str,
        request: RequestBuilder,
    ) -> Result<T, ClientError> {
        let response = request.send().await.map_err(|e| self.transport(e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| self.transport(e))?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&body).map_err(|e| ClientError::Decode {
                what,
                detail: e.to_string(),
            });
        }
        let retry_after = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let cf_ray = headers
            .get("cf-ray")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Err(ClientError::Api(Box::new(ApiError::from_response(
            status,
            &body,
            retry_after,
            cf_ray,
        ))))
    }

    fn transport(&self, e: reqwest::Error) -> ClientError {
        if e.is_timeout() {
            ClientError::Timeout(self.timeout)
        } else if e.is_connect() {
            ClientError::Connect {
                url: self.base.clone(),
            }
        } else {
            ClientError::Transport
        }
    }

    fn json<B: Serialize>(&self, method: Method, path: &str, body: &B) -> RequestBuilder {
        self.http.request(method, self.url(path)).json(body)
    }

    /// `POST /v1/users`.
    pub async fn create_user(&self, body: &CreateUserRequest) -> Result<User, ClientError> {
        self.send("create user", self.json(Method::POST, "/users", body))
            .await
    }

    /// `GET /v1/users` with filters.
    pub async fn list_users(&self, query: &UserQuery) -> Result<Vec<User>, ClientError> {
        let request = self.http.get(self.url("/users")).query(&query.pairs());
        self.send("list users", request).await
    }

    /// `GET /v1/users/count` with filters.
    pub async fn count_users(&self, query: &UserQuery) -> Result<u64, ClientError> {
        let request = self
            .http
            .get(self.url("/users/count"))
            .query(&query.pairs());
        let count: TotalCount = self.send("count users", request).await?;
        Ok(count.total_count)
    }

    /// `GET /v1/users/{id}`.
    pub async fn get_user(&self, id: &str) -> Result<User, ClientError> {
        let request = self
            .http
            .get(self.url(&format!("/users/{}", path_segment(id))));
        self.send("get user", request).await
    }

    /// `DELETE /v1/users/{id}`.
    pub async fn delete_user(&self, id: &str) -> Result<DeletedObject, ClientError> {
        let request = self
            .http
            .delete(self.url(&format!("/users/{}", path_segment(id))));
        self.send("delete user", request).await
    }

    /// `POST /v1/users/{id}/ban`.
    pub async fn ban_user(&self, id: &str) -> Result<User, ClientError> {
        let request = self
            .http
            .post(self.url(&format!("/users/{}/ban", path_segment(id))));
        self.send("ban user", request).await
    }

    /// `POST /v1/email_addresses`.
    pub async fn create_email_address(
        &self,
        body: &CreateEmailAddressRequest,
    ) -> Result<EmailAddress, ClientError> {
        self.send(
            "add email address",
            self.json(Method::POST, "/email_addresses", body),
        )
        .await
    }

    /// `POST /v1/phone_numbers`.
    pub async fn create_phone_number(
        &self,
        body: &CreatePhoneNumberRequest,
    ) -> Result<PhoneNumber, ClientError> {
        self.send(
            "add phone number",
            self.json(Method::POST, "/phone_numbers", body),
        )
        .await
    }

    /// `POST /v1/users/{id}/verify_password`. A wrong password is Clerk's 422, and a user
    /// without one its 400: both come back as `ClientError::Api` for the caller to read.
    pub async fn verify_password(&self, id: &str, password: &str) -> Result<bool, ClientError> {
        let body = VerifyPasswordRequest { password };
        let request = self.json(
            Method::POST,
            &format!("/users/{}/verify_password", path_segment(id)),
            &body,
        );
        let answer: VerifyPasswordResponse = self.send("verify password", request).await?;
        Ok(answer.verified)
    }

    /// `GET /v1/domains`: the instance's domains, with each one's Frontend API URL.
    pub async fn list_domains(&self) -> Result<Domains, ClientError> {
        self.send("list domains", self.http.get(self.url("/domains")))
            .await
    }

    /// The Frontend API's `GET /v1/environment` at `frontend_api_url`: the sign-up
    /// settings. The Frontend API is public, so the secret key is not sent there.
    pub async fn environment(&self, frontend_api_url: &str) -> Result<Environment, ClientError> {
        let url = format!("{}/v1/environment", frontend_api_url.trim_end_matches('/'));
        let parsed = reqwest::Url::parse(&url).map_err(|e| ClientError::Decode {
            what: "frontend API URL",
            detail: e.to_string(),
        })?;
        if parsed.scheme() != "https" && !is_loopback(&parsed) {
            return Err(ClientError::Decode {
                what: "frontend API URL",
                detail: format!("{url} is not https"),
            });
        }
        let public = reqwest::Client::builder()
            .user_agent(concat!("migrate/", env!("CARGO_PKG_VERSION")))
            .timeout(self.timeout)
            .build()
            .map_err(|e| ClientError::Decode {
                what: "HTTP client",
                detail: e.to_string(),
            })?;
        self.send("read the instance's settings", public.get(parsed))
            .await
    }

    /// `GET /v1/instance/organization_settings`.
    pub async fn organization_settings(&self) -> Result<OrganizationSettings, ClientError> {
        let request = self.http.get(self.url("/instance/organization_settings"));
        self.send("read the organization settings", request).await
    }

    /// `GET /v1/organization_roles`, every page.
    pub async fn organization_roles(&self) -> Result<Page<OrganizationRole>, ClientError> {
        let request = self
            .http
            .get(self.url("/organization_roles"))
            .query(&[("limit", "500")]);
        self.send("list organization roles", request).await
    }

    /// `POST /v1/organizations`.
    pub async fn create_organization(
        &self,
        body: &CreateOrganizationRequest,
    ) -> Result<Organization, ClientError> {
        let request = self.json(Method::POST, "/organizations", body);
        self.send("create organization", request).await
    }

    /// `GET /v1/organizations`, one page, oldest first.
    pub async fn list_organizations(
        &self,
        limit: u32,
        offset: u64,
    ) -> Result<Page<Organization>, ClientError> {
        let request = self.http.get(self.url("/organizations")).query(&[
            ("limit", limit.to_string()),
            ("offset", offset.to_string()),
            ("order_by", "+created_at".to_owned()),
        ]);
        self.send("list organizations", request).await
    }

    /// `GET /v1/organizations/{id_or_slug}`.
    pub async fn get_organization(&self, id_or_slug: &str) -> Result<Organization, ClientError> {
        let request = self
            .http
            .get(self.url(&format!("/organizations/{}", path_segment(id_or_slug))));
        self.send("get organization", request).await
    }

    /// `DELETE /v1/organizations/{id}`.
    pub async fn delete_organization(&self, id: &str) -> Result<DeletedObject, ClientError> {
        let request = self
            .http
            .delete(self.url(&format!("/organizations/{}", path_segment(id))));
        self.send("delete organization", request).await
    }

    /// `POST /v1/organizations/{id}/memberships`.
    pub async fn create_membership(
        &self,
        org_id: &str,
        body: &CreateMembershipRequest,
    ) -> Result<Membership, ClientError> {
        let path = format!("/organizations/{}/memberships", path_segment(org_id));
        self.send("add member", self.json(Method::POST, &path, body))
            .await
    }

    /// `GET /v1/organizations/{id}/memberships`, one page.
    pub async fn list_memberships(
        &self,
        org_id: &str,
        limit: u32,
        offset: u64,
    ) -> Result<Page<Membership>, ClientError> {
        let path = format!("/organizations/{}/memberships", path_segment(org_id));
        let request = self
            .http
            .get(self.url(&path))
            .query(&[("limit", limit.to_string()), ("offset", offset.to_string())]);
        self.send("list members", request).await
    }

    /// `PATCH /v1/organizations/{id}/memberships/{user_id}/metadata`: merged into what
    /// the membership has.
    pub async fn update_membership_metadata(
        &self,
        org_id: &str,
        user_id: &str,
        body: &MembershipMetadataRequest,
    ) -> Result<Membership, ClientError> {
        let path = format!(
            "/organizations/{}/memberships/{}/metadata",
            path_segment(org_id),
            path_segment(user_id)
        );
        self.send(
            "update member metadata",
            self.json(Method::PATCH, &path, body),
        )
        .await
    }

    /// `POST /v1/organizations/{id}/invitations`: Clerk emails the invitee.
    pub async fn create_invitation(
        &self,
        org_id: &str,
        body: &CreateInvitationRequest,
    ) -> Result<OrganizationInvitation, ClientError> {
        let path = format!("/organizations/{}/invitations", path_segment(org_id));
        self.send("invite", self.json(Method::POST, &path, body))
            .await
    }

    /// `GET /v1/organizations/{id}/invitations?status=pending`, one page.
    pub async fn list_pending_invitations(
        &self,
        org_id: &str,
        limit: u32,
        offset: u64,
    ) -> Result<Page<OrganizationInvitation>, ClientError> {
        let path = format!("/organizations/{}/invitations", path_segment(org_id));
        let request = self.http.get(self.url(&path)).query(&[
            ("status", "pending".to_owned()),
            ("limit", limit.to_string()),
            ("offset", offset.to_string()),
        ]);
        self.send("list invitations", request).await
    }

    /// `POST /v1/organizations/{id}/invitations/bulk`: up to 10 at once.
    pub async fn create_invitations(
        &self,
        org_id: &str,
        body: &[CreateInvitationRequest],
    ) -> Result<Vec<OrganizationInvitation>, ClientError> {
        let path = format!("/organizations/{}/invitations/bulk", path_segment(org_id));
        let page: Page<OrganizationInvitation> = self
            .send("invite in bulk", self.json(Method::POST, &path, &body))
            .await?;
        Ok(page.data)
    }

    /// `DELETE /v1/organizations/{id}/memberships/{user_id}`.
    pub async fn delete_membership(
        &self,
        org_id: &str,
        user_id: &str,
    ) -> Result<Membership, ClientError> {
        let path = format!(
            "/organizations/{}/memberships/{}",
            path_segment(org_id),
            path_segment(user_id)
        );
        self.send("remove member", self.http.delete(self.url(&path)))
            .await
    }

    /// `GET /v1/instance`: which instance the key opens, and whether it is production.
    pub async fn get_instance(&self) -> Result<Instance, ClientError> {
        self.send("get instance", self.http.get(self.url("/instance")))
            .await
    }
}

/// An ID or slug as one path segment, percent-encoded: IDs come from logs and slugs from
/// files, and a `/`, `..` or `?` in one must not reach another endpoint.
fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn is_loopback(url: &reqwest::Url) -> bool {
    matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
}

/// `Retry-After` as whole seconds, or defensively as an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_logs_stay_one_path_segment() {
        assert_eq!(path_segment("user_2x"), "user_2x");
        assert_eq!(path_segment("../orgs/x"), "%2E%2E%2Forgs%2Fx");
        assert_eq!(path_segment(".."), "%2E%2E");
        assert_eq!(path_segment("a?b#c d"), "a%3Fb%23c%20d");
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
