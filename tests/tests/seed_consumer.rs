//! End-to-end checks of the consumer seed endpoints (TOTPs and OTPs) against a
//! loopback server: the exact request the SDK puts on the wire, and how the
//! realistic response bodies in `tests/fixtures/consumer_*.json` decode.

use serde_json::{Value, json};
use stytch_sdk::Client;
use stytch_sdk::consumer::models::attribute::Attributes;
use stytch_sdk::consumer::models::magic_links::Options;
use stytch_sdk::consumer::models::sessions::{
    AuthenticationFactorDeliveryMethod as Delivery, AuthenticationFactorType as FactorType,
};
use stytch_sdk::consumer::models::users::User;
use stytch_tests::{MockServer, Recorded, Reply, assert_json_post, serve_once, timestamp};

const PROJECT_ID: &str = "project-test-3f2a7c1e-5b8d-4e6f-9a0b-1c2d3e4f5a6b";
const SECRET: &str = "secret-test-xN4p7Vq2Lk9sWd3Rf6Hj1Zc8Bt5Mg0Ya";

const USER_ID: &str = "user-test-5c1e8f3a-2d47-4b9e-a6f0-8e3d9b7c4a12";
const EMAIL_ID: &str = "email-test-8a4b2c6d-1e3f-4a5b-9c7d-0e1f2a3b4c5d";
const PHONE_ID: &str = "phone-number-test-0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e";
const TOTP_ID: &str = "totp-test-2e7f4a9c-3b1d-4c8e-a5f2-6d9b0e3c7a14";
const SESSION_ID: &str = "session-test-9d3e6f1a-4c2b-4e7d-b8a5-3f0c1e9d2b76";
const PHONE: &str = "+14155550123";
const EMAIL: &str = "ada.lovelace@example.com";
const TELEMETRY_ID: &str = "026ac93b-8cdf-4fcb-bfa6-36a31cfecac1";
const BROWSER: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 \
                       (KHTML, like Gecko) Version/17.3 Safari/605.1.15";

/// Starts a server answering `reply` once and a client pointed at it.
async fn setup(reply: Reply) -> (MockServer, Client) {
    serve_once(PROJECT_ID, SECRET, reply).await
}

/// Checks a JSON POST sent with this file's credentials; see [`assert_json_post`].
fn assert_post(request: &Recorded, path: &str, body: Value) {
    assert_json_post(request, PROJECT_ID, SECRET, path, body);
}

/// The user record shared by the TOTP and OTP fixtures.
fn assert_ada(user: &User) {
    assert_eq!(user.user_id, USER_ID);
    assert_eq!(user.status, "active");
    assert_eq!(user.emails.len(), 1);
    assert_eq!(user.emails[0].email_id, EMAIL_ID);
    assert_eq!(user.emails[0].email, EMAIL);
    assert!(user.emails[0].verified);
    assert_eq!(user.phone_numbers[0].phone_id, PHONE_ID);
    assert_eq!(user.phone_numbers[0].phone_number, PHONE);
    assert!(user.phone_numbers[0].verified);
    assert!(user.webauthn_registrations.is_empty());
    assert!(user.providers.is_empty());
    assert!(!user.is_locked);
    assert_eq!(user.roles, ["stytch_user"]);
    let name = user.name.as_ref().expect("user has a name");
    assert_eq!(name.first_name.as_deref(), Some("Ada"));
    assert_eq!(name.middle_name.as_deref(), Some(""));
    assert_eq!(name.last_name.as_deref(), Some("Lovelace"));
    assert_eq!(user.created_at, Some(timestamp("2023-11-02T14:21:07Z")));
    assert_eq!(
        user.trusted_metadata,
        Some(json!({"plan": "pro", "seats": 3}))
    );
    assert_eq!(user.untrusted_metadata, Some(json!({})));
    // `null` in the fixture.
    assert_eq!(user.password, None);
    assert_eq!(user.external_id, None);
    assert_eq!(user.lock_created_at, None);
    // Absent from the fixture.
    assert_eq!(user.lock_expires_at, None);
}

#[tokio::test]
async fn totps_create() {
    let (server, client) = setup(Reply::fixture("consumer_totps_create")).await;

    let response = client
        .totps()
        .create(stytch_sdk::consumer::totps::CreateRequest::new(USER_ID).expiration_minutes(60))
        .await
        .expect("totps.create succeeds");

    assert_post(
        &server.single_request(),
        "/v1/totps",
        json!({"user_id": USER_ID, "expiration_minutes": 60}),
    );

    assert_eq!(response.status_code, 200);
    assert_eq!(
        response.request_id,
        "request-id-test-3b8e1f42-6c9d-4a07-b5e2-9f1d3c7a8e60"
    );
    assert_eq!(response.totp_id, TOTP_ID);
    assert_eq!(response.user_id, USER_ID);
    assert_eq!(response.secret, "OVZW4ZLSNFZWKY3SMV2GC3TEMFWGK4TF");
    assert!(response.qr_code.starts_with("data:image/png;base64,iVBOR"));
    assert_eq!(response.recovery_codes.len(), 10);
    assert_eq!(response.recovery_codes[0], "k7qm-2xd9-wp4h");
    assert_eq!(response.recovery_codes[9], "t0oe-5lhu-4mpq");
    assert_ada(&response.user);
    // The new registration is not verified until the first code is checked.
    assert_eq!(response.user.totps.len(), 1);
    assert_eq!(response.user.totps[0].totp_id, TOTP_ID);
    assert!(!response.user.totps[0].verified);
}

#[tokio::test]
async fn totps_authenticate() {
    let (server, client) = setup(Reply::fixture("consumer_totps_authenticate")).await;

    let request = stytch_sdk::consumer::totps::AuthenticateRequest::new(USER_ID, "576831")
        .session_duration_minutes(60)
        .session_custom_claims(json!({"tier": "gold"}))
        .telemetry_id(TELEMETRY_ID);
    let response = client
        .totps()
        .authenticate(request)
        .await
        .expect("totps.authenticate succeeds");

    assert_post(
        &server.single_request(),
        "/v1/totps/authenticate",
        json!({
            "user_id": USER_ID,
            "totp_code": "576831",
            "session_duration_minutes": 60,
            "session_custom_claims": {"tier": "gold"},
            "telemetry_id": TELEMETRY_ID,
        }),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-c41a9e07-2f5b-4d83-a6c1-7e0b9d24f3a8"
    );
    assert_eq!(response.user_id, USER_ID);
    assert_eq!(response.totp_id, TOTP_ID);
    assert_eq!(
        response.session_token,
        "mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q"
    );
    assert_eq!(response.session_jwt.split('.').count(), 3);
    assert_ada(&response.user);
    assert!(response.user.totps[0].verified);

    let session = response.session.as_ref().expect("a session was started");
    assert_eq!(session.session_id, SESSION_ID);
    assert_eq!(session.user_id, USER_ID);
    assert_eq!(session.roles, ["stytch_user"]);
    assert_eq!(session.started_at, Some(timestamp("2024-03-11T18:04:27Z")));
    assert_eq!(session.expires_at, Some(timestamp("2024-03-11T19:04:27Z")));
    assert_eq!(session.custom_claims, Some(json!({"tier": "gold"})));
    let attributes = session.attributes.as_ref().expect("session attributes");
    assert_eq!(attributes.ip_address.as_deref(), Some("203.0.113.24"));
    assert_eq!(attributes.user_agent.as_deref(), Some(BROWSER));
    assert_eq!(session.authentication_factors.len(), 1);
    let factor = &session.authentication_factors[0];
    assert_eq!(factor.r#type, FactorType::Totp);
    assert_eq!(factor.delivery_method, Delivery::AuthenticatorApp);
    assert_eq!(
        factor.last_authenticated_at,
        Some(timestamp("2024-03-11T18:04:27Z"))
    );
    assert_eq!(
        factor
            .authenticator_app_factor
            .as_ref()
            .expect("authenticator app factor")
            .totp_id,
        TOTP_ID
    );
    assert_eq!(factor.email_factor, None);
    assert_eq!(factor.phone_number_factor, None);
    assert_eq!(factor.recovery_code_factor, None);

    let device = response.user_device.as_ref().expect("device info");
    assert_eq!(device.visitor_id, "V7kPq2zR9mXw4LtB");
    let visitor = device.visitor_id_details.as_ref().expect("visitor details");
    assert!(!visitor.is_new);
    assert_eq!(
        visitor.first_seen_at,
        Some(timestamp("2024-02-20T08:15:44Z"))
    );
    assert_eq!(device.ip_address.as_deref(), Some("203.0.113.24"));
    assert!(device.ip_address_details.as_ref().unwrap().is_new);
    assert_eq!(device.ip_geo_city.as_deref(), Some("San Francisco"));
    assert_eq!(device.ip_geo_region.as_deref(), Some("California"));
    assert_eq!(device.ip_geo_country.as_deref(), Some("US"));
}

#[tokio::test]
async fn totps_recovery_codes() {
    let (server, client) = setup(Reply::fixture("consumer_totps_recovery_codes")).await;

    let response = client
        .totps()
        .recovery_codes(stytch_sdk::consumer::totps::RecoveryCodesRequest::new(
            USER_ID,
        ))
        .await
        .expect("totps.recovery_codes succeeds");

    assert_post(
        &server.single_request(),
        "/v1/totps/recovery_codes",
        json!({"user_id": USER_ID}),
    );

    assert_eq!(response.status_code, 200);
    assert_eq!(
        response.request_id,
        "request-id-test-58d2f6b1-0a3e-4c97-8b14-e6f2a9c0d753"
    );
    assert_eq!(response.user_id, USER_ID);
    assert_eq!(response.totps.len(), 2);
    assert_eq!(response.totps[0].totp_id, TOTP_ID);
    assert!(response.totps[0].verified);
    assert_eq!(
        response.totps[0].recovery_codes,
        [
            "k7qm-2xd9-wp4h",
            "r3tn-8fza-6cvb",
            "j9ls-4gke-1umy",
            "p2wd-7hxq-5rnc"
        ]
    );
    assert_eq!(
        response.totps[1].totp_id,
        "totp-test-71c0d5b8-9e26-4f13-8a4d-c2b7e1f09a35"
    );
    assert!(!response.totps[1].verified);
    assert!(response.totps[1].recovery_codes.is_empty());
}

#[tokio::test]
async fn totps_recover() {
    let (server, client) = setup(Reply::fixture("consumer_totps_recover")).await;

    let request = stytch_sdk::consumer::totps::RecoverRequest::new(USER_ID, "r3tn-8fza-6cvb")
        .session_token("mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q")
        .session_duration_minutes(30);
    let response = client
        .totps()
        .recover(request)
        .await
        .expect("totps.recover succeeds");

    assert_post(
        &server.single_request(),
        "/v1/totps/recover",
        json!({
            "user_id": USER_ID,
            "recovery_code": "r3tn-8fza-6cvb",
            "session_token": "mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q",
            "session_duration_minutes": 30,
        }),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-0e7c3a91-d4b8-4f25-9a6e-1c5f8b2d7e04"
    );
    assert_eq!(response.totp_id, TOTP_ID);
    assert_eq!(response.user_id, USER_ID);
    assert_eq!(
        response.session_token,
        "Xq8v3KfD0pL2nY6tR9wZ_aB4cE7gH1jM5sU8xV0yQ2kW"
    );
    assert_ada(&response.user);

    let session = response.session.as_ref().expect("the session was extended");
    assert_eq!(session.started_at, Some(timestamp("2024-03-11T17:58:02Z")));
    assert_eq!(
        session.last_accessed_at,
        Some(timestamp("2024-03-11T18:06:45Z"))
    );
    assert_eq!(session.expires_at, Some(timestamp("2024-03-11T18:36:45Z")));
    // Absent from the fixture.
    assert_eq!(session.custom_claims, None);
    assert_eq!(session.authentication_factors.len(), 2);
    let first = &session.authentication_factors[0];
    assert_eq!(first.r#type, FactorType::Otp);
    assert_eq!(first.delivery_method, Delivery::Email);
    let email = first.email_factor.as_ref().expect("email factor");
    assert_eq!(email.email_id, EMAIL_ID);
    assert_eq!(email.email_address, EMAIL);
    let second = &session.authentication_factors[1];
    assert_eq!(second.r#type, FactorType::RecoveryCodes);
    assert_eq!(second.delivery_method, Delivery::RecoveryCode);
    assert_eq!(
        second
            .recovery_code_factor
            .as_ref()
            .unwrap()
            .totp_recovery_code_id,
        "totp-recovery-code-test-6a2d9f0c-8b47-4e1a-b3c5-d7e9f1a2b4c6"
    );
    assert_eq!(second.email_factor, None);
    assert_eq!(second.created_at, Some(timestamp("2024-03-11T18:06:45Z")));
    // `null` in the fixture: no telemetry id was sent.
    assert_eq!(response.user_device, None);
}

#[tokio::test]
async fn otps_authenticate() {
    let (server, client) = setup(Reply::fixture("consumer_otps_authenticate")).await;

    let request = stytch_sdk::consumer::otps::AuthenticateRequest::new(PHONE_ID, "314159")
        .attributes(Attributes {
            ip_address: Some("203.0.113.24".to_owned()),
            user_agent: Some(BROWSER.to_owned()),
        })
        .options(Options {
            ip_match_required: true,
            user_agent_match_required: false,
        })
        .session_duration_minutes(1440)
        .telemetry_id(TELEMETRY_ID);
    let response = client
        .otps()
        .authenticate(request)
        .await
        .expect("otps.authenticate succeeds");

    assert_post(
        &server.single_request(),
        "/v1/otps/authenticate",
        json!({
            "method_id": PHONE_ID,
            "code": "314159",
            "attributes": {"ip_address": "203.0.113.24", "user_agent": BROWSER},
            "options": {"ip_match_required": true, "user_agent_match_required": false},
            "session_duration_minutes": 1440,
            "telemetry_id": TELEMETRY_ID,
        }),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-9f4b2d6e-7a1c-4e38-85d0-b3a6c9e2f147"
    );
    assert_eq!(response.user_id, USER_ID);
    assert_eq!(response.method_id, PHONE_ID);
    assert!(!response.reset_sessions);
    assert_eq!(
        response.session_token,
        "wJ4nB8xT1qL6vE3yK9mP_zS2dG5hR0fU7cA4iO8lN1tY"
    );
    assert_ada(&response.user);

    let session = response.session.as_ref().expect("a session was started");
    assert_eq!(session.session_id, SESSION_ID);
    assert_eq!(session.expires_at, Some(timestamp("2024-03-12T18:04:27Z")));
    assert_eq!(session.custom_claims, None);
    let factor = &session.authentication_factors[0];
    assert_eq!(factor.r#type, FactorType::Otp);
    assert_eq!(factor.delivery_method, Delivery::Sms);
    let phone = factor.phone_number_factor.as_ref().expect("phone factor");
    assert_eq!(phone.phone_id, PHONE_ID);
    assert_eq!(phone.phone_number, PHONE);
    assert_eq!(factor.email_factor, None);
    assert_eq!(factor.authenticator_app_factor, None);

    let device = response.user_device.as_ref().expect("device info");
    assert!(device.visitor_id_details.as_ref().unwrap().is_new);
    assert_eq!(
        device.ip_geo_country_details.as_ref().unwrap().last_seen_at,
        Some(timestamp("2024-03-11T18:04:26Z"))
    );
}

#[tokio::test]
async fn otps_sms_send() {
    use stytch_sdk::consumer::models::otp_sms::SendRequestLocale;
    let (server, client) = setup(Reply::fixture("consumer_otps_sms_send")).await;

    let request = stytch_sdk::consumer::otps::sms::SendRequest::new(PHONE)
        .expiration_minutes(5)
        .locale(SendRequestLocale::PtBr)
        .user_id(USER_ID);
    let response = client
        .otps()
        .sms()
        .send(request)
        .await
        .expect("otps.sms.send succeeds");

    assert_post(
        &server.single_request(),
        "/v1/otps/sms/send",
        json!({
            "phone_number": PHONE,
            "expiration_minutes": 5,
            "locale": "pt-br",
            "user_id": USER_ID,
        }),
    );

    assert_eq!(response.status_code, 200);
    assert_eq!(
        response.request_id,
        "request-id-test-2c6e9a13-5f8b-4d71-a0e4-8b3d1f7c6a92"
    );
    assert_eq!(response.user_id, USER_ID);
    assert_eq!(response.phone_id, PHONE_ID);
}

#[tokio::test]
async fn otps_sms_login_or_create() {
    use stytch_sdk::consumer::models::otp_sms::LoginOrCreateRequestLocale;
    let (server, client) = setup(Reply::fixture("consumer_otps_sms_login_or_create")).await;

    let request = stytch_sdk::consumer::otps::sms::LoginOrCreateRequest::new("+14155550199")
        .expiration_minutes(10)
        .attributes(Attributes {
            ip_address: Some("198.51.100.7".to_owned()),
            ..Attributes::default()
        })
        .create_user_as_pending(true)
        .locale(LoginOrCreateRequestLocale::Es);
    let response = client
        .otps()
        .sms()
        .login_or_create(request)
        .await
        .expect("otps.sms.login_or_create succeeds");

    assert_post(
        &server.single_request(),
        "/v1/otps/sms/login_or_create",
        json!({
            "phone_number": "+14155550199",
            "expiration_minutes": 10,
            // The unset `user_agent` attribute is left out too.
            "attributes": {"ip_address": "198.51.100.7"},
            "create_user_as_pending": true,
            "locale": "es",
        }),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-7d1f4b85-3e9a-4c26-b8f0-2a5c7e9d1b34"
    );
    assert_eq!(
        response.user_id,
        "user-test-e2a84c17-6b3f-4d90-9c5e-1f7a3b8d2e64"
    );
    assert_eq!(
        response.phone_id,
        "phone-number-test-4f6b1d93-0c8e-4a25-b7d1-9e3a5c2f8b70"
    );
    assert!(response.user_created);
}

#[tokio::test]
async fn otps_whatsapp_send() {
    use stytch_sdk::consumer::models::otp_whatsapp::SendRequestLocale;
    let (server, client) = setup(Reply::fixture("consumer_otps_whatsapp_send")).await;

    let request = stytch_sdk::consumer::otps::whatsapp::SendRequest::new(PHONE)
        .locale(SendRequestLocale::DeDe)
        .session_token("wJ4nB8xT1qL6vE3yK9mP_zS2dG5hR0fU7cA4iO8lN1tY");
    let response = client
        .otps()
        .whatsapp()
        .send(request)
        .await
        .expect("otps.whatsapp.send succeeds");

    assert_post(
        &server.single_request(),
        "/v1/otps/whatsapp/send",
        json!({
            "phone_number": PHONE,
            "locale": "de-DE",
            "session_token": "wJ4nB8xT1qL6vE3yK9mP_zS2dG5hR0fU7cA4iO8lN1tY",
        }),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-a8e3c5f1-9b24-4d67-8e0a-3c1f6b9d4e25"
    );
    assert_eq!(response.user_id, USER_ID);
    assert_eq!(response.phone_id, PHONE_ID);
}

#[tokio::test]
async fn otps_whatsapp_login_or_create() {
    use stytch_sdk::consumer::models::otp_whatsapp::LoginOrCreateRequestLocale;
    let (server, client) = setup(Reply::fixture("consumer_otps_whatsapp_login_or_create")).await;

    let request = stytch_sdk::consumer::otps::whatsapp::LoginOrCreateRequest::new(PHONE)
        .expiration_minutes(3)
        .create_user_as_pending(false)
        .locale(LoginOrCreateRequestLocale::ZhHans);
    let response = client
        .otps()
        .whatsapp()
        .login_or_create(request)
        .await
        .expect("otps.whatsapp.login_or_create succeeds");

    assert_post(
        &server.single_request(),
        "/v1/otps/whatsapp/login_or_create",
        json!({
            "phone_number": PHONE,
            "expiration_minutes": 3,
            "create_user_as_pending": false,
            "locale": "zh-Hans",
        }),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-4b9d2f76-1c8e-4a53-9f3b-7e6a0d2c5b18"
    );
    assert_eq!(response.user_id, USER_ID);
    assert_eq!(response.phone_id, PHONE_ID);
    assert!(!response.user_created);
}

#[tokio::test]
async fn otps_email_send() {
    use stytch_sdk::consumer::models::otp_email::SendRequestLocale;
    let (server, client) = setup(Reply::fixture("consumer_otps_email_send")).await;

    let request = stytch_sdk::consumer::otps::email::SendRequest::new(EMAIL)
        .expiration_minutes(10)
        .locale(SendRequestLocale::Fr)
        .user_id(USER_ID)
        .login_template_id("otp-login-fr");
    let response = client
        .otps()
        .email()
        .send(request)
        .await
        .expect("otps.email.send succeeds");

    assert_post(
        &server.single_request(),
        "/v1/otps/email/send",
        json!({
            "email": EMAIL,
            "expiration_minutes": 10,
            "locale": "fr",
            "user_id": USER_ID,
            "login_template_id": "otp-login-fr",
        }),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-e6c0a4d8-2b7f-4913-a5e8-0d4b9c3f7a61"
    );
    assert_eq!(response.user_id, USER_ID);
    assert_eq!(response.email_id, EMAIL_ID);
}

#[tokio::test]
async fn otps_email_login_or_create() {
    use stytch_sdk::consumer::models::otp_email::LoginOrCreateRequestLocale;
    let (server, client) = setup(Reply::fixture("consumer_otps_email_login_or_create")).await;

    let request =
        stytch_sdk::consumer::otps::email::LoginOrCreateRequest::new("charles.babbage@example.com")
            .create_user_as_pending(true)
            .locale(LoginOrCreateRequestLocale::En)
            .login_template_id("otp-login-v2")
            .signup_template_id("otp-signup-v2");
    let response = client
        .otps()
        .email()
        .login_or_create(request)
        .await
        .expect("otps.email.login_or_create succeeds");

    assert_post(
        &server.single_request(),
        "/v1/otps/email/login_or_create",
        json!({
            "email": "charles.babbage@example.com",
            "create_user_as_pending": true,
            "locale": "en",
            "login_template_id": "otp-login-v2",
            "signup_template_id": "otp-signup-v2",
        }),
    );

    assert_eq!(
        response.request_id,
        "request-id-test-1f5a8c3e-6d2b-4e94-b0c7-5a9e3d1f8c26"
    );
    assert_eq!(
        response.user_id,
        "user-test-93b7e1d5-4a0c-4f28-8d6b-2e9c5a7f1b43"
    );
    assert_eq!(
        response.email_id,
        "email-test-c5d2a8f4-7e1b-4963-9a0d-6b4f2e8c3a57"
    );
    assert!(response.user_created);
}
