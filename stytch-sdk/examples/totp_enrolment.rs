//! TOTP enrolment: `totps.create` makes a secret (and QR code) for the user's
//! authenticator app plus recovery codes, `totps.authenticate` checks a code
//! from the app, `totps.recovery_codes` lists the codes again, and
//! `totps.recover` logs in with one of them when the app is lost.
//!
//! Offline (the default): `cargo run -p stytch-sdk --example totp_enrolment --features test-util`.
//! Against your test project: also set `STYTCH_PROJECT_ID`, `STYTCH_SECRET` and
//! `STYTCH_USER_ID`; the codes are read from `STYTCH_TOTP_CODE` /
//! `STYTCH_RECOVERY_CODE` or stdin.

mod support;

use stytch_sdk::consumer::totps::{
    AuthenticateRequest, CreateRequest, RecoverRequest, RecoveryCodesRequest,
};
use stytch_sdk::test_util::MockError;
use support::{Backend, json};

#[tokio::main]
async fn main() -> Result<(), stytch_sdk::Error> {
    let backend = Backend::from_env().await;
    if let Some(mock) = backend.mock() {
        mock.on::<CreateRequest>()
            .respond_json(json(include_str!("fixtures/consumer_totps_create.json")));
        mock.on::<AuthenticateRequest>()
            .respond_json(json(include_str!(
                "fixtures/consumer_totps_authenticate.json"
            )));
        mock.on::<RecoveryCodesRequest>()
            .respond_json(json(include_str!(
                "fixtures/consumer_totps_recovery_codes.json"
            )));
        // A recovery code works once: the mock refuses any code it has seen before.
        let recovered: stytch_sdk::consumer::totps::RecoverResponse =
            serde_json::from_value(json(include_str!("fixtures/consumer_totps_recover.json")))
                .expect("the fixture fits the response type");
        let used = std::sync::Mutex::new(Vec::<String>::new());
        mock.on::<RecoverRequest>().respond_with(move |request| {
            let mut used = used.lock().expect("not poisoned");
            if used.contains(&request.recovery_code) {
                return Err(MockError::new(
                    404,
                    "recovery_code_not_found",
                    "This recovery code was already used.",
                ));
            }
            used.push(request.recovery_code.clone());
            Ok(recovered.clone())
        });
    }
    let client: stytch_sdk::Client = backend.client()?;
    let user_id = backend.input(
        "STYTCH_USER_ID",
        "user id",
        "user-test-5c1e8f3a-2d47-4b9e-a6f0-8e3d9b7c4a12",
    );

    let totp = client
        .totps()
        .create(CreateRequest::new(&user_id).expiration_minutes(60))
        .await?;
    println!(
        "TOTP {} created; secret for the authenticator app: {}",
        totp.totp_id, totp.secret
    );
    println!("QR code: {} bytes of data URL", totp.qr_code.len());
    println!(
        "{} recovery codes, keep them safe",
        totp.recovery_codes.len()
    );

    let code = backend.input(
        "STYTCH_TOTP_CODE",
        "code from the authenticator app",
        "123456",
    );
    let auth = client
        .totps()
        .authenticate(AuthenticateRequest::new(&user_id, code).session_duration_minutes(60))
        .await?;
    println!(
        "code accepted for TOTP {}; session token issued: {}",
        auth.totp_id,
        !auth.session_token.is_empty()
    );

    let listed = client
        .totps()
        .recovery_codes(RecoveryCodesRequest::new(&user_id))
        .await?;
    for registration in &listed.totps {
        println!(
            "TOTP {} (verified: {}) has {} recovery codes left",
            registration.totp_id,
            registration.verified,
            registration.recovery_codes.len()
        );
    }

    let first = totp.recovery_codes.first().cloned().unwrap_or_default();
    let recovery_code = backend.input("STYTCH_RECOVERY_CODE", "a recovery code", &first);
    let recovered = client
        .totps()
        .recover(RecoverRequest::new(&user_id, &recovery_code).session_duration_minutes(60))
        .await?;
    println!(
        "recovered: user {} logged in without the app",
        recovered.user_id
    );

    if let Some(mock) = backend.mock() {
        // The same code a second time is refused.
        let again = client
            .totps()
            .recover(RecoverRequest::new(&user_id, &recovery_code))
            .await;
        match again {
            Err(stytch_sdk::Error::Api(api)) => {
                println!("reusing the code fails: {}", api.error_type)
            }
            other => println!("unexpected answer to a reused code: {other:?}"),
        }
        println!("calls received by the mock: {:?}", mock.called_endpoints());
    }
    Ok(())
}
