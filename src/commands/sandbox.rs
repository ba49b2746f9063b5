//! `migrate sandbox`: serve the BAPI stand-in until Ctrl-C or SIGTERM.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::cli::SandboxArgs;
use crate::error::AppError;
use crate::exit::ExitStatus;
use crate::sandbox::{self, SandboxConfig};
use crate::ui::Printer;

/// What `--settings` sets: sign-up settings, and organizations.
#[derive(Debug, Default)]
struct Settings {
    user_settings: Option<serde_json::Value>,
    /// `organization_settings.enabled`.
    organizations: Option<bool>,
    /// `organization_settings.max_allowed_memberships`.
    max_memberships: Option<i64>,
    /// `organization_roles`: the instance's role keys.
    roles: Option<Vec<String>>,
}

/// Reads `--settings`: a `user_settings` object (or an environment holding one), and
/// `organization_settings` (as `GET /v1/instance/organization_settings` answers) with
/// `organization_roles` (role keys).
fn read_settings(path: &std::path::Path) -> Result<Settings, AppError> {
    let bad = |why: String| {
        AppError::from(crate::error::UsageError::SandboxSettings {
            path: path.to_owned(),
            why,
        })
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not JSON ({e})")))?;
    let mut out = Settings::default();
    if let Some(orgs) = value.get("organization_settings") {
        out.organizations = orgs.get("enabled").and_then(|v| v.as_bool());
        out.max_memberships = orgs.get("max_allowed_memberships").and_then(|v| v.as_i64());
    }
    if let Some(roles) = value.get("organization_roles") {
        let keys: Option<Vec<String>> = roles.as_array().and_then(|a| {
            a.iter()
                .map(|k| {
                    k.as_str()
                        .filter(|k| k.starts_with("org:"))
                        .map(str::to_owned)
                })
                .collect()
        });
        let keys = keys.ok_or_else(|| {
            bad("organization_roles must be a list of role keys, e.g. [\"org:admin\", \"org:member\"]".to_owned())
        })?;
        out.roles = Some(keys);
    }
    let about_orgs =
        out.organizations.is_some() || out.max_memberships.is_some() || out.roles.is_some();
    if about_orgs && value.get("user_settings").is_none() && value.get("attributes").is_none() {
        return Ok(out);
    }
    let mut settings = value.get("user_settings").cloned().unwrap_or(value);
    let Some(given) = settings
        .get("attributes")
        .and_then(|a| a.as_object())
        .cloned()
    else {
        return Err(bad("no \"attributes\" object".to_owned()));
    };
    // Attributes the file leaves out keep their defaults.
    let mut merged = sandbox::settings::default_user_settings();
    for (name, attr) in given {
        merged["attributes"][name] = attr;
    }
    if let Some(social) = settings.get_mut("social").map(std::mem::take) {
        merged["social"] = social;
    }
    out.user_settings = Some(merged);
    Ok(out)
}

pub async fn run(args: SandboxArgs, printer: Printer) -> Result<ExitStatus, AppError> {
    let custom_key = args.secret_key.is_some();
    let settings = args.settings.as_deref().map(read_settings).transpose()?;
    let settings = settings.unwrap_or_default();
    let defaults = SandboxConfig::default();
    let config = SandboxConfig {
        secret_key: args
            .secret_key
            .unwrap_or_else(|| sandbox::DEFAULT_SECRET_KEY.to_owned()),
        rate: args.rate,
        window: Duration::from_secs(args.window_secs.max(1)),
        latency: Duration::from_millis(args.latency_ms),
        fail_rate: args.fail_rate.clamp(0.0, 1.0),
        fail_after_create_rate: args.fail_after_create_rate.clamp(0.0, 1.0),
        seed: args.seed,
        user_cap: args.user_cap,
        accept_skip_restriction_checks: false,
        user_settings: settings.user_settings,
        organizations: settings.organizations.unwrap_or(defaults.organizations),
        organization_max_memberships: settings
            .max_memberships
            .unwrap_or(defaults.organization_max_memberships),
        organization_roles: settings
            .roles
            .unwrap_or_else(|| defaults.organization_roles.clone()),
        ..defaults
    };
    let summary = format!(
        "{} instance, {} requests per {} s, user cap {}",
        if config.is_production() {
            "production"
        } else {
            "development"
        },
        config.effective_rate(),
        config.window.as_secs(),
        config
            .effective_user_cap()
            .map_or("none".to_owned(), |c| c.to_string()),
    );
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let handle = sandbox::spawn(config, addr)
        .await
        .map_err(|source| AppError::SandboxBind {
            addr: addr.to_string(),
            embedded: false,
            source,
        })?;
    printer.info(&format!(
        "Sandbox listening on {} ({summary})",
        handle.base_url()
    ));
    printer.info(&format!("  export CLERK_API_URL={}", handle.base_url()));
    if !custom_key {
        // The built-in key opens only this local sandbox, so showing it leaks nothing.
        printer.info(&format!(
            "  export CLERK_SECRET_KEY={}",
            sandbox::DEFAULT_SECRET_KEY
        ));
    }
    printer.info("Press Ctrl-C to stop.");
    let status = super::signals::wait_for_signal().await;
    handle.stop().await;
    printer.info("Sandbox stopped.");
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settings_file_overrides_the_attributes_it_names_and_bad_ones_say_why() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("settings.json");
        std::fs::write(
            &file,
            r#"{"user_settings": {"attributes": {"phone_number": {"enabled": true, "required": true}}}}"#,
        )
        .expect("write");
        let s = read_settings(&file)
            .expect("reads")
            .user_settings
            .expect("set");
        assert_eq!(s["attributes"]["phone_number"]["required"], true);
        assert_eq!(
            s["attributes"]["email_address"]["enabled"], true,
            "default kept"
        );
        std::fs::write(
            &file,
            r#"{"organization_settings": {"enabled": false, "max_allowed_memberships": 5},
                "organization_roles": ["org:admin", "org:member", "org:billing"]}"#,
        )
        .expect("write");
        let s = read_settings(&file).expect("reads");
        assert_eq!((s.organizations, s.max_memberships), (Some(false), Some(5)));
        assert_eq!(s.roles.map(|r| r.len()), Some(3));
        assert!(
            s.user_settings.is_none(),
            "sign-up settings stay the defaults"
        );
        std::fs::write(&file, r#"{"organization_roles": ["admin"]}"#).expect("write");
        assert!(read_settings(&file).is_err(), "not a role key");
        std::fs::write(&file, "{\"attributes\": 3}").expect("write");
        let err = read_settings(&file)
            .expect_err("no attributes object")
            .to_string();
        assert!(err.contains("no \"attributes\" object"), "{err}");
        std::fs::write(&file, "not json").expect("write");
        assert!(read_settings(&file).is_err());
    }
}
