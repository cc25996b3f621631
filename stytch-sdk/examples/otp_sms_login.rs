//! SMS one-time passcode login: `otps.sms.login_or_create` sends a code to a
//! phone number (creating the user on first use), `otps.authenticate` checks
//! the code the user typed in and starts a session.
//!
//! Offline (the default): `cargo run -p stytch-sdk --example otp_sms_login --features test-util`.
//! Against your test project: also set `STYTCH_PROJECT_ID`, `STYTCH_SECRET` and
//! `STYTCH_PHONE`; the code is read from `STYTCH_OTP_CODE` or stdin.

mod support;

use stytch_sdk::consumer::otps::AuthenticateRequest;
use stytch_sdk::consumer::otps::sms::LoginOrCreateRequest;
use stytch_sdk::test_util::MockError;
use support::{Backend, json};

#[tokio::main]
async fn main() -> Result<(), stytch_sdk::Error> {
    let backend = Backend::from_env().await;
    if let Some(mock) = backend.mock() {
        mock.on::<LoginOrCreateRequest>()
            .respond_json(json(include_str!(
                "fixtures/consumer_otps_sms_login_or_create.json"
            )));
        let authenticated = json(include_str!("fixtures/consumer_otps_authenticate.json"));
        let authenticated: stytch_sdk::consumer::otps::AuthenticateResponse =
            serde_json::from_value(authenticated).expect("the fixture fits the response type");
        // Only the code "123456" is right, like a real code only the phone's owner knows.
        mock.on::<AuthenticateRequest>()
            .respond_with(move |request| {
                if request.code == "123456" {
                    Ok(authenticated.clone())
                } else {
                    Err(MockError::new(
                        404,
                        "otp_code_not_found",
                        "The code is wrong or expired.",
                    ))
                }
            });
    }
    let client: stytch_sdk::Client = backend.client()?;

    let phone = backend.input("STYTCH_PHONE", "phone number (E.164)", "+14155550123");
    let sent = client
        .otps()
        .sms()
        .login_or_create(LoginOrCreateRequest::new(phone).expiration_minutes(5))
        .await?;
    println!(
        "code sent to phone {} of user {} (new user: {})",
        sent.phone_id, sent.user_id, sent.user_created
    );

    let code = backend.input("STYTCH_OTP_CODE", "code from the SMS", "123456");
    let auth = client
        .otps()
        .authenticate(AuthenticateRequest::new(&sent.phone_id, code).session_duration_minutes(60))
        .await?;
    println!("user {} is logged in", auth.user_id);
    if let Some(session) = &auth.session {
        println!(
            "session {} (expires at {:?})",
            session.session_id, session.expires_at
        );
    }

    if let Some(mock) = backend.mock() {
        println!("calls received by the mock: {:?}", mock.called_endpoints());
    }
    Ok(())
}
