//! B2B discovery login by email OTP: `otps.email.discovery.send` mails a code
//! to an address before the organization is known,
//! `otps.email.discovery.authenticate` checks the code and returns an
//! intermediate session plus the organizations the address can join, and
//! `discovery.intermediate_sessions.exchange` turns the intermediate session
//! into a member session of the chosen organization (or, when there is none,
//! `discovery.organizations.create` makes a new organization with the person
//! as its first member).
//!
//! Offline (the default): `cargo run -p stytch-sdk --example b2b_email_otp_discovery --features test-util`.
//! Against your test project: also set `STYTCH_PROJECT_ID`, `STYTCH_SECRET` and
//! `STYTCH_EMAIL`; the code is read from `STYTCH_OTP_CODE` or stdin.

mod support;

use serde_json::json;
use stytch_sdk::b2b::discovery::intermediate_sessions::ExchangeRequest;
use stytch_sdk::b2b::discovery::organizations::CreateRequest;
use stytch_sdk::b2b::otps::email::discovery::{AuthenticateRequest, SendRequest};
use support::{Backend, json};

#[tokio::main]
async fn main() -> Result<(), stytch_sdk::Error> {
    let backend = Backend::from_env().await;
    if let Some(mock) = backend.mock() {
        mock.on::<SendRequest>().respond_json(json(include_str!(
            "fixtures/b2b_otps_email_discovery_send.json"
        )));
        mock.on::<AuthenticateRequest>()
            .respond_json(json(include_str!(
                "fixtures/b2b_otps_email_discovery_authenticate.json"
            )));
        // The exchange answers with the member session of the chosen organization.
        let mut session = json(include_str!("fixtures/b2b_recovery_codes_recover.json"));
        if let Some(fields) = session.as_object_mut() {
            fields.remove("recovery_codes_remaining");
            fields.insert("member_authenticated".into(), json!(true));
            fields.insert("intermediate_session_token".into(), json!(""));
        }
        mock.on::<ExchangeRequest>().respond_json(session);
    }
    let client: stytch_sdk::B2BClient = backend.client()?;

    let email = backend.input(
        "STYTCH_EMAIL",
        "email address",
        "grace.hopper@acme-analytics.com",
    );
    client
        .otps()
        .email()
        .discovery()
        .send(SendRequest::new(&email))
        .await?;
    println!("code sent to {email}");

    let code = backend.input("STYTCH_OTP_CODE", "code from the email", "654321");
    let discovered = client
        .otps()
        .email()
        .discovery()
        .authenticate(AuthenticateRequest::new(&email, code))
        .await?;
    println!(
        "{} may join {} organization(s):",
        discovered.email_address,
        discovered.discovered_organizations.len()
    );
    for found in &discovered.discovered_organizations {
        if let Some(organization) = &found.organization {
            println!(
                "  {} ({}), already a member: {}",
                organization.organization_name,
                organization.organization_id,
                found.member_authenticated
            );
        }
    }

    let ist = discovered.intermediate_session_token;
    let chosen = discovered
        .discovered_organizations
        .iter()
        .find_map(|found| found.organization.as_ref());
    let (member_id, organization, session_token) = match chosen {
        Some(organization) => {
            let session = client
                .discovery()
                .intermediate_sessions()
                .exchange(
                    ExchangeRequest::new(&ist, &organization.organization_id)
                        .session_duration_minutes(60),
                )
                .await?;
            (
                session.member_id,
                session.organization.organization_name,
                session.session_token,
            )
        }
        None => {
            let name = backend.input(
                "STYTCH_ORGANIZATION_NAME",
                "name of a new organization",
                "Acme Analytics",
            );
            let created = client
                .discovery()
                .organizations()
                .create(
                    CreateRequest::new(&ist)
                        .organization_name(name)
                        .session_duration_minutes(60),
                )
                .await?;
            (
                created.member_id,
                created.organization.organization_name,
                created.session_token,
            )
        }
    };
    println!(
        "member {member_id} is logged in to {organization}; session token issued: {}",
        !session_token.is_empty()
    );

    if let Some(mock) = backend.mock() {
        println!("calls received by the mock: {:?}", mock.called_endpoints());
    }
    Ok(())
}
