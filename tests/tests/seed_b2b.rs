//! End-to-end checks of the B2B seed endpoints (recovery codes, email OTPs,
//! email OTP discovery and TOTPs) against a loopback server: the exact request
//! the SDK puts on the wire, and how the realistic response bodies in
//! `tests/fixtures/b2b_*.json` decode.

use serde_json::{Value, json};
use stytch_sdk::B2BClient;
use stytch_sdk::b2b::models::organizations::{Member, Organization};
use stytch_sdk::consumer::models::sessions::{
    AuthenticationFactorDeliveryMethod as Delivery, AuthenticationFactorType as FactorType,
};
use stytch_tests::{
    MockServer, Recorded, Reply, assert_json_post, assert_sdk_headers, serve_once, timestamp,
};

const PROJECT_ID: &str = "project-test-d84b1f6c-2a9e-4c37-b5d0-7e3f9a1c6b28";
const SECRET: &str = "secret-test-Hq5Zr8Xw2Nc7Vb4Lm9Kd1Sf6Tg3Jy0Pe";

const ORG_ID: &str = "organization-test-7b3e9f2a-1c4d-4a8b-b6e5-2d0f8c9a3e71";
const ORG_SLUG: &str = "acme-analytics";
const MEMBER_ID: &str = "member-test-4f8a2c6e-9b1d-4e3a-8c7f-5a0d2b9e6c13";
const MEMBER_EMAIL: &str = "grace.hopper@acme-analytics.com";
const MEMBER_TOTP_ID: &str = "member-totp-test-6d1b8e3f-2a9c-4f57-b4e0-7c3a9d5f1e82";
const MEMBER_SESSION_ID: &str = "member-session-test-3a7f1c9e-5d2b-4b86-a0e3-9f6c2d8b4a17";
const MEMBER_EMAIL_ID: &str = "member-email-test-2d8f5b1a-9c3e-4a70-b6d4-e1f9a3c7b052";
const SAML_CONNECTION_ID: &str = "saml-connection-test-8e4c2a6f-1d9b-4f03-b7a5-3c0e8d6f2b49";
const INTERMEDIATE_TOKEN: &str = "ist-9fK2mQ7xW4pL1vB8nT3zR6cY0hD5jS2gA7eU4iO1";
const TELEMETRY_ID: &str = "5d7c3e19-0a8b-4f62-9c4d-1e6b8a2f7d03";

/// Starts a server answering `reply` once and a client pointed at it.
async fn setup(reply: Reply) -> (MockServer, B2BClient) {
    serve_once(PROJECT_ID, SECRET, reply).await
}

/// Checks a JSON POST sent with this file's credentials; see [`assert_json_post`].
fn assert_post(request: &Recorded, path: &str, body: Value) {
    assert_json_post(request, PROJECT_ID, SECRET, path, body);
}

/// The member record shared by the fixtures.
fn assert_grace(member: &Member) {
    assert_eq!(member.organization_id, ORG_ID);
    assert_eq!(member.member_id, MEMBER_ID);
    assert_eq!(member.email_address, MEMBER_EMAIL);
    assert_eq!(member.status, "active");
    assert_eq!(member.name, "Grace Hopper");
    assert!(member.email_address_verified);
    assert!(member.is_admin);
    assert!(!member.is_breakglass);
    assert!(!member.is_locked);
    assert_eq!(member.default_mfa_method, "totp");
    assert_eq!(member.sso_registrations.len(), 1);
    assert_eq!(
        member.sso_registrations[0].connection_id,
        SAML_CONNECTION_ID
    );
    assert_eq!(
        member.sso_registrations[0].sso_attributes,
        Some(json!({"department": "Engineering"}))
    );
    assert_eq!(member.roles.len(), 2);
    assert_eq!(member.roles[0].role_id, "stytch_member");
    assert_eq!(member.roles[1].role_id, "analyst");
    assert_eq!(member.roles[1].sources[0].r#type, "email_assignment");
    assert_eq!(
        member.roles[1].sources[0].details,
        Some(json!({"email_domain": "acme-analytics.com"}))
    );
    assert_eq!(
        member.trusted_metadata,
        Some(json!({"employee_number": 1906}))
    );
    assert_eq!(member.created_at, Some(timestamp("2023-06-19T10:02:55Z")));
    // `null` in the fixture.
    assert_eq!(member.scim_registration, None);
    assert_eq!(member.lock_created_at, None);
    // Absent from the fixture.
    assert_eq!(member.external_id, None);
    assert_eq!(member.lock_expires_at, None);
}

/// The organization record shared by the fixtures.
fn assert_acme(organization: &Organization) {
    assert_eq!(organization.organization_id, ORG_ID);
    assert_eq!(organization.organization_name, "Acme Analytics");
    assert_eq!(organization.organization_slug, ORG_SLUG);
    assert_eq!(
        organization.organization_logo_url,
        "https://cdn.acme-analytics.com/brand/logo.png"
    );
    assert_eq!(organization.mfa_policy, "REQUIRED_FOR_ALL");
    assert_eq!(organization.allowed_mfa_methods, ["totp", "sms_otp"]);
    assert_eq!(
        organization.allowed_auth_methods,
        ["sso", "email_otp", "magic_link"]
    );
    assert_eq!(organization.email_allowed_domains, ["acme-analytics.com"]);
    assert_eq!(
        organization.sso_active_connections[0].display_name,
        "Okta Workforce"
    );
    assert_eq!(
        organization.rbac_email_implicit_role_assignments[0].role_id,
        "analyst"
    );
    assert_eq!(
        organization.custom_roles[0].permissions[0].actions,
        ["read", "export"]
    );
    assert_eq!(
        organization.sso_default_connection_id.as_deref(),
        Some(SAML_CONNECTION_ID)
    );
    assert_eq!(
        organization.updated_at,
        Some(timestamp("2024-02-28T16:40:12Z"))
    );
    // `null` in the fixture.
    assert_eq!(organization.organization_external_id, None);
    assert_eq!(organization.scim_active_connection, None);
    // Absent from the fixture.
    assert_eq!(organization.allowed_oauth_tenants, None);
}

#[tokio::test]
async fn recovery_codes_recover() {
    let (server, client) = setup(Reply::fixture("b2b_recovery_codes_recover")).await;

    let request =
        stytch_sdk::b2b::recovery_codes::RecoverRequest::new(ORG_ID, MEMBER_ID, "a3kd-9wm2-qx7p")
            .intermediate_session_token(INTERMEDIATE_TOKEN)
            .session_duration_minutes(480)
            .telemetry_id(TELEMETRY_ID);
    let response = client
        .recovery_codes()
        .recover(request)
        .await
        .expect("recovery_codes.recover succeeds");

    assert_post(
        &server.single_request(),
        "/v1/b2b/recovery_codes/recover",
        json!({
            "organization_id": ORG_ID,
            "member_id": MEMBER_ID,
            "recovery_code": "a3kd-9wm2-qx7p",
            "intermediate_session_token": INTERMEDIATE_TOKEN,
            "session_duration_minutes": 480,
            "telemetry_id": TELEMETRY_ID,
        }),
    );

    assert_eq!(response.status_code, 200);
    assert_eq!(
        response.request_id,
        "request-id-test-f3a9c1e7-4d6b-4082-9e5a-b7c2d0f8a416"
    );
    assert_eq!(response.member_id, MEMBER_ID);
    assert_eq!(response.recovery_codes_remaining, 9);
    assert_eq!(
        response.session_token,
        "Lp7TzQ2wF9kC4vN1xB6mJ8sD3gH0yR5uA2eK7iO9nW1c"
    );
    assert_eq!(response.session_jwt.split('.').count(), 3);
    assert_grace(&response.member);
    assert_acme(&response.organization);

    let session = response.member_session.as_ref().expect("member session");
    assert_eq!(session.member_session_id, MEMBER_SESSION_ID);
    assert_eq!(session.member_id, MEMBER_ID);
    assert_eq!(session.organization_id, ORG_ID);
    assert_eq!(session.organization_slug, ORG_SLUG);
    assert_eq!(session.roles, ["stytch_member", "analyst"]);
    assert_eq!(session.started_at, timestamp("2024-03-11T18:03:51Z"));
    assert_eq!(session.expires_at, timestamp("2024-03-12T02:04:27Z"));
    assert_eq!(session.custom_claims, None);
    assert_eq!(session.authentication_factors.len(), 2);
    let factor = &session.authentication_factors[1];
    assert_eq!(factor.r#type, FactorType::RecoveryCodes);
    assert_eq!(factor.delivery_method, Delivery::RecoveryCode);
    assert_eq!(
        factor
            .recovery_code_factor
            .as_ref()
            .unwrap()
            .totp_recovery_code_id,
        "member-totp-recovery-code-test-9b4e1a7c-3d0f-4c58-a2e6-f8b5d1c9e037"
    );

    let device = response.member_device.as_ref().expect("device info");
    assert_eq!(device.visitor_id, "V7kPq2zR9mXw4LtB");
    assert_eq!(device.ip_geo_region.as_deref(), Some("California"));
    assert_eq!(
        device.visitor_id_details.as_ref().unwrap().last_seen_at,
        Some(timestamp("2024-03-11T18:04:26Z"))
    );
}

#[tokio::test]
async fn recovery_codes_get() {
    let (server, client) = setup(Reply::fixture("b2b_recovery_codes_get")).await;

    let response = client
        .recovery_codes()
        .get(stytch_sdk::b2b::recovery_codes::GetRequest::new(
            ORG_ID, MEMBER_ID,
        ))
        .await
        .expect("recovery_codes.get succeeds");

    let request = server.single_request();
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.path,
        format!("/v1/b2b/recovery_codes/{ORG_ID}/{MEMBER_ID}")
    );
    // Both parameters travel in the path: nothing is left for a query or a body.
    assert_eq!(request.query, None);
    assert!(request.body.is_empty(), "a GET has no body");
    assert_eq!(request.header("content-type"), None);
    assert_sdk_headers(&request, PROJECT_ID, SECRET);

    assert_eq!(
        response.request_id,
        "request-id-test-6b2e8d4a-1f7c-4395-b0d9-a3e6c5f2b781"
    );
    assert_eq!(response.member_id, MEMBER_ID);
    assert_eq!(response.recovery_codes.len(), 10);
    assert_eq!(response.recovery_codes[0], "a3kd-9wm2-qx7p");
    assert_eq!(response.recovery_codes[9], "j0ye-1ho3-vg7q");
    assert_grace(&response.member);
    assert_eq!(response.member.totp_registration_id, MEMBER_TOTP_ID);
    assert!(response.member.mfa_enrolled);
    assert_acme(&response.organization);
}

#[tokio::test]
async fn recovery_codes_get_percent_encodes_path_params() {
    let (server, client) = setup(Reply::fixture("b2b_recovery_codes_get")).await;

    client
        .recovery_codes()
        .get(stytch_sdk::b2b::recovery_codes::GetRequest::new(
            "org/eu west~1",
            "grace+mfa@acme-analytics.com",
        ))
        .await
        .expect("recovery_codes.get succeeds");

    let request = server.single_request();
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.path,
        "/v1/b2b/recovery_codes/org%2Feu%20west~1/grace%2Bmfa%40acme-analytics.com"
    );
    assert_eq!(request.query, None);
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn recovery_codes_rotate() {
    let (server, client) = setup(Reply::fixture("b2b_recovery_codes_rotate")).await;

    let response = client
        .recovery_codes()
        .rotate(stytch_sdk::b2b::recovery_codes::RotateRequest::new(
            ORG_ID, MEMBER_ID,
        ))
        .await
        .expect("recovery_codes.rotate succeeds");

    assert_post(
        &server.single_request(),
        "/v1/b2b/recovery_codes/rotate",
        json!({"organization_id": ORG_ID, "member_id": MEMBER_ID}),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-d9c4f0b2-7a5e-4168-8f3c-e2b6a1d7c945"
    );
    assert_eq!(response.member_id, MEMBER_ID);
    assert_eq!(response.recovery_codes.len(), 10);
    assert_eq!(response.recovery_codes[0], "k2mx-7pq4-ab9d");
    assert_eq!(response.recovery_codes[9], "t4pe-7io2-wx1b");
    assert_grace(&response.member);
    assert_eq!(
        response.member.updated_at,
        Some(timestamp("2024-03-11T18:12:09Z"))
    );
    assert_acme(&response.organization);
}

#[tokio::test]
async fn otps_email_login_or_signup() {
    use stytch_sdk::b2b::models::otp_email::LoginOrSignupRequestLocale;
    let (server, client) = setup(Reply::fixture("b2b_otps_email_login_or_signup")).await;

    let request = stytch_sdk::b2b::otps::email::LoginOrSignupRequest::new(ORG_ID, MEMBER_EMAIL)
        .login_template_id("b2b-otp-login")
        .signup_template_id("b2b-otp-signup")
        .locale(LoginOrSignupRequestLocale::Es)
        .login_expiration_minutes(10)
        .signup_expiration_minutes(15);
    let response = client
        .otps()
        .email()
        .login_or_signup(request)
        .await
        .expect("otps.email.login_or_signup succeeds");

    assert_post(
        &server.single_request(),
        "/v1/b2b/otps/email/login_or_signup",
        json!({
            "organization_id": ORG_ID,
            "email_address": MEMBER_EMAIL,
            "login_template_id": "b2b-otp-login",
            "signup_template_id": "b2b-otp-signup",
            "locale": "es",
            "login_expiration_minutes": 10,
            "signup_expiration_minutes": 15,
        }),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-2e8a6c0f-b4d1-4f79-a3e5-c9b7d2f0e614"
    );
    assert_eq!(response.member_id, MEMBER_ID);
    assert!(!response.member_created);
    assert_grace(&response.member);
    assert_acme(&response.organization);
}

#[tokio::test]
async fn otps_email_authenticate() {
    use stytch_sdk::b2b::models::otp_email::AuthenticateRequestLocale;
    let (server, client) = setup(Reply::fixture("b2b_otps_email_authenticate")).await;

    let request =
        stytch_sdk::b2b::otps::email::AuthenticateRequest::new(ORG_ID, MEMBER_EMAIL, "482913")
            .session_duration_minutes(720)
            .session_custom_claims(json!({"department": "engineering"}))
            .locale(AuthenticateRequestLocale::En)
            .telemetry_id(TELEMETRY_ID);
    let response = client
        .otps()
        .email()
        .authenticate(request)
        .await
        .expect("otps.email.authenticate succeeds");

    assert_post(
        &server.single_request(),
        "/v1/b2b/otps/email/authenticate",
        json!({
            "organization_id": ORG_ID,
            "email_address": MEMBER_EMAIL,
            "code": "482913",
            "session_duration_minutes": 720,
            "session_custom_claims": {"department": "engineering"},
            "locale": "en",
            "telemetry_id": TELEMETRY_ID,
        }),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-a5d1f7c3-e9b2-4604-8c7a-1f3e5b9d0c28"
    );
    assert_eq!(response.member_id, MEMBER_ID);
    assert_eq!(response.method_id, MEMBER_EMAIL_ID);
    assert_eq!(response.organization_id, ORG_ID);
    assert!(response.member_authenticated);
    assert_eq!(response.intermediate_session_token, "");
    assert_eq!(
        response.session_token,
        "Rk3Wn8Zt1Qv6Lp0Xb4Yc9Md2Fs7Gh5Jq3Ua8Ei1Oo6Tn"
    );
    assert_grace(&response.member);
    assert_acme(&response.organization);

    let session = response.member_session.as_ref().expect("member session");
    assert_eq!(session.member_session_id, MEMBER_SESSION_ID);
    assert_eq!(session.started_at, timestamp("2024-03-11T18:03:51Z"));
    assert_eq!(session.last_accessed_at, timestamp("2024-03-11T18:03:51Z"));
    assert_eq!(session.expires_at, timestamp("2024-03-12T06:03:51Z"));
    assert_eq!(
        session.custom_claims,
        Some(json!({"department": "engineering"}))
    );
    assert_eq!(session.authentication_factors.len(), 1);
    let factor = &session.authentication_factors[0];
    assert_eq!(factor.r#type, FactorType::Otp);
    assert_eq!(factor.delivery_method, Delivery::Email);
    let email = factor.email_factor.as_ref().expect("email factor");
    assert_eq!(email.email_id, MEMBER_EMAIL_ID);
    assert_eq!(email.email_address, MEMBER_EMAIL);
    assert_eq!(factor.phone_number_factor, None);

    assert_eq!(
        response
            .member_device
            .as_ref()
            .unwrap()
            .ip_geo_country
            .as_deref(),
        Some("US")
    );
    // `null` in the fixture.
    assert_eq!(response.mfa_required, None);
    // Absent from the fixture.
    assert_eq!(response.primary_required, None);
    assert_eq!(response.intermediate_session_token_expires_at, None);
}

#[tokio::test]
async fn otps_email_discovery_send() {
    use stytch_sdk::b2b::models::otp_email_discovery::SendRequestLocale;
    let (server, client) = setup(Reply::fixture("b2b_otps_email_discovery_send")).await;

    let request = stytch_sdk::b2b::otps::email::discovery::SendRequest::new(MEMBER_EMAIL)
        .login_template_id("b2b-discovery-otp")
        .locale(SendRequestLocale::PtBr)
        .discovery_expiration_minutes(15);
    let response = client
        .otps()
        .email()
        .discovery()
        .send(request)
        .await
        .expect("otps.email.discovery.send succeeds");

    assert_post(
        &server.single_request(),
        "/v1/b2b/otps/email/discovery/send",
        json!({
            "email_address": MEMBER_EMAIL,
            "login_template_id": "b2b-discovery-otp",
            "locale": "pt-br",
            "discovery_expiration_minutes": 15,
        }),
    );

    assert_eq!(response.status_code, 200);
    assert_eq!(
        response.request_id,
        "request-id-test-8c0e4a2d-6f3b-4d95-b1a7-e5c9f3d8b260"
    );
}

#[tokio::test]
async fn otps_email_discovery_authenticate() {
    let (server, client) = setup(Reply::fixture("b2b_otps_email_discovery_authenticate")).await;

    let response = client
        .otps()
        .email()
        .discovery()
        .authenticate(
            stytch_sdk::b2b::otps::email::discovery::AuthenticateRequest::new(
                MEMBER_EMAIL,
                "739201",
            ),
        )
        .await
        .expect("otps.email.discovery.authenticate succeeds");

    assert_post(
        &server.single_request(),
        "/v1/b2b/otps/email/discovery/authenticate",
        json!({"email_address": MEMBER_EMAIL, "code": "739201"}),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-0d6b2f8e-4c1a-4e37-9b5d-a7f3c1e9d482"
    );
    assert_eq!(response.intermediate_session_token, INTERMEDIATE_TOKEN);
    assert_eq!(response.email_address, MEMBER_EMAIL);
    assert_eq!(
        response.intermediate_session_token_expires_at,
        Some(timestamp("2024-03-11T18:14:27Z"))
    );
    assert_eq!(response.discovered_organizations.len(), 2);

    let existing = &response.discovered_organizations[0];
    assert!(!existing.member_authenticated);
    assert_acme(existing.organization.as_ref().expect("organization"));
    let membership = existing.membership.as_ref().expect("membership");
    assert_eq!(membership.r#type, "active_member");
    assert_eq!(membership.details, None);
    assert_grace(membership.member.as_ref().expect("member"));
    let mfa = existing.mfa_required.as_ref().expect("mfa is required");
    assert_eq!(
        mfa.member_options.as_ref().unwrap().totp_registration_id,
        MEMBER_TOTP_ID
    );
    assert_eq!(mfa.member_options.as_ref().unwrap().mfa_phone_number, "");
    assert_eq!(mfa.secondary_auth_initiated, None);
    assert_eq!(existing.primary_required, None);

    let joinable = &response.discovered_organizations[1];
    assert!(!joinable.member_authenticated);
    let other = joinable.organization.as_ref().expect("organization");
    assert_eq!(
        other.organization_id,
        "organization-test-e9a1c7d3-5b2f-4e86-a0d4-8c6b3f1e9a25"
    );
    assert_eq!(other.organization_name, "Acme Labs");
    assert_eq!(other.organization_slug, "acme-labs");
    assert_eq!(other.organization_logo_url, "");
    let membership = joinable.membership.as_ref().expect("membership");
    assert_eq!(membership.r#type, "eligible_to_join_by_email_domain");
    assert_eq!(
        membership.details,
        Some(json!({"domain": "acme-analytics.com"}))
    );
    assert_eq!(membership.member, None);
    assert_eq!(
        joinable
            .primary_required
            .as_ref()
            .expect("primary auth required")
            .allowed_auth_methods,
        ["sso", "email_otp"]
    );
    // Absent from the fixture.
    assert_eq!(joinable.mfa_required, None);
}

#[tokio::test]
async fn totps_create() {
    let (server, client) = setup(Reply::fixture("b2b_totps_create")).await;

    let request = stytch_sdk::b2b::totps::CreateRequest::new(ORG_ID, MEMBER_ID)
        .expiration_minutes(30)
        .intermediate_session_token(INTERMEDIATE_TOKEN);
    let response = client
        .totps()
        .create(request)
        .await
        .expect("totps.create succeeds");

    assert_post(
        &server.single_request(),
        "/v1/b2b/totp",
        json!({
            "organization_id": ORG_ID,
            "member_id": MEMBER_ID,
            "expiration_minutes": 30,
            "intermediate_session_token": INTERMEDIATE_TOKEN,
        }),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-b7f3d9a1-2c8e-4b56-a0f4-d6e2c8b3a915"
    );
    assert_eq!(response.member_id, MEMBER_ID);
    assert_eq!(response.totp_registration_id, MEMBER_TOTP_ID);
    assert_eq!(response.secret, "MFZWIZLTORSGK3TUNFXWY5LSMVZWC3TN");
    assert!(response.qr_code.starts_with("data:image/png;base64,"));
    assert_eq!(response.recovery_codes.len(), 10);
    assert_eq!(response.recovery_codes[4], "e5jx-3tb6-ro2n");
    assert_grace(&response.member);
    assert!(!response.member.mfa_enrolled);
    assert_acme(&response.organization);
}

#[tokio::test]
async fn totps_authenticate() {
    let (server, client) = setup(Reply::fixture("b2b_totps_authenticate")).await;

    let request = stytch_sdk::b2b::totps::AuthenticateRequest::new(ORG_ID, MEMBER_ID, "103954")
        .intermediate_session_token(INTERMEDIATE_TOKEN)
        .session_duration_minutes(60)
        .set_mfa_enrollment("enroll")
        .set_default_mfa(true);
    let response = client
        .totps()
        .authenticate(request)
        .await
        .expect("totps.authenticate succeeds");

    assert_post(
        &server.single_request(),
        "/v1/b2b/totp/authenticate",
        json!({
            "organization_id": ORG_ID,
            "member_id": MEMBER_ID,
            "code": "103954",
            "intermediate_session_token": INTERMEDIATE_TOKEN,
            "session_duration_minutes": 60,
            "set_mfa_enrollment": "enroll",
            "set_default_mfa": true,
        }),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-4e0a8c6f-d2b9-4731-8e5c-f1a7d3b9c064"
    );
    assert_eq!(response.member_id, MEMBER_ID);
    assert_eq!(
        response.session_token,
        "Hn5Tq1Wz8Ld3Vx6Kp0Mb9Rc2Fy7Gs4Ju1Ae5Ik8Oo3Pw"
    );
    assert_grace(&response.member);
    assert_acme(&response.organization);

    let session = response.member_session.as_ref().expect("member session");
    assert_eq!(session.started_at, timestamp("2024-03-11T18:03:51Z"));
    assert_eq!(session.last_accessed_at, timestamp("2024-03-11T18:04:27Z"));
    assert_eq!(session.expires_at, timestamp("2024-03-11T19:04:27Z"));
    assert_eq!(session.custom_claims, None);
    assert_eq!(session.authentication_factors.len(), 2);
    assert_eq!(session.authentication_factors[0].r#type, FactorType::Otp);
    assert_eq!(
        session.authentication_factors[0].delivery_method,
        Delivery::Email
    );
    let totp = &session.authentication_factors[1];
    assert_eq!(totp.r#type, FactorType::Totp);
    assert_eq!(totp.delivery_method, Delivery::AuthenticatorApp);
    assert_eq!(
        totp.authenticator_app_factor.as_ref().unwrap().totp_id,
        MEMBER_TOTP_ID
    );
    assert_eq!(totp.updated_at, Some(timestamp("2024-03-11T18:04:27Z")));
    // Absent from the fixture: no telemetry id was sent.
    assert_eq!(response.member_device, None);
}

#[tokio::test]
async fn totps_migrate() {
    let (server, client) = setup(Reply::fixture("b2b_totps_migrate")).await;

    let codes = vec![
        "a3kd-9wm2-qx7p".to_owned(),
        "b8nf-1zr5-lt4c".to_owned(),
        "c2vh-6ys0-pe9j".to_owned(),
        "d7gq-4ua8-mk1w".to_owned(),
        "e5jx-3tb6-ro2n".to_owned(),
    ];
    let request = stytch_sdk::b2b::totps::MigrateRequest::new(
        ORG_ID,
        MEMBER_ID,
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        codes.clone(),
    );
    let response = client
        .totps()
        .migrate(request)
        .await
        .expect("totps.migrate succeeds");

    assert_post(
        &server.single_request(),
        "/v1/b2b/totp/migrate",
        json!({
            "organization_id": ORG_ID,
            "member_id": MEMBER_ID,
            "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "recovery_codes": codes,
        }),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-9a5c3e1b-7f0d-4c82-b6a4-2e8d0f6c1b73"
    );
    assert_eq!(response.member_id, MEMBER_ID);
    assert_eq!(
        response.totp_registration_id,
        "member-totp-test-0f3d7b2e-8c5a-4e19-9b6f-4a1c8e2d7f50"
    );
    assert_eq!(response.recovery_codes, codes);
    assert_eq!(
        response.member.totp_registration_id,
        response.totp_registration_id
    );
    assert_grace(&response.member);
    assert_acme(&response.organization);
}
