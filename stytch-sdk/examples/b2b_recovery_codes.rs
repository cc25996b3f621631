//! B2B MFA recovery codes: `recovery_codes.get` lists a member's codes,
//! `recovery_codes.recover` completes a login with one of them instead of the
//! second factor, and `recovery_codes.rotate` replaces all of them.
//!
//! Offline (the default): `cargo run -p stytch-sdk --example b2b_recovery_codes --features test-util`.
//! Against your test project: also set `STYTCH_PROJECT_ID`, `STYTCH_SECRET`,
//! `STYTCH_ORGANIZATION_ID` and `STYTCH_MEMBER_ID`; the code is read from
//! `STYTCH_RECOVERY_CODE` or stdin.

mod support;

use stytch_sdk::b2b::recovery_codes::{GetRequest, RecoverRequest, RotateRequest};
use stytch_sdk::test_util::MockError;
use support::{Backend, json};

#[tokio::main]
async fn main() -> Result<(), stytch_sdk::Error> {
    let backend = Backend::from_env().await;
    if let Some(mock) = backend.mock() {
        let listed = json(include_str!("fixtures/b2b_recovery_codes_get.json"));
        let codes: Vec<String> = serde_json::from_value(listed["recovery_codes"].clone())
            .expect("the fixture lists codes");
        mock.on::<GetRequest>().respond_json(listed);
        let recovered: stytch_sdk::b2b::recovery_codes::RecoverResponse = serde_json::from_value(
            json(include_str!("fixtures/b2b_recovery_codes_recover.json")),
        )
        .expect("the fixture fits the response type");
        // Only the member's listed codes work.
        mock.on::<RecoverRequest>().respond_with(move |request| {
            if codes.contains(&request.recovery_code) {
                Ok(recovered.clone())
            } else {
                Err(MockError::new(
                    404,
                    "recovery_code_not_found",
                    "No such recovery code.",
                ))
            }
        });
        mock.on::<RotateRequest>().respond_json(json(include_str!(
            "fixtures/b2b_recovery_codes_rotate.json"
        )));
    }
    let client: stytch_sdk::B2BClient = backend.client()?;
    let organization_id = backend.input(
        "STYTCH_ORGANIZATION_ID",
        "organization id",
        "organization-test-7b3e9f2a-1c4d-4a8b-b6e5-2d0f8c9a3e71",
    );
    let member_id = backend.input(
        "STYTCH_MEMBER_ID",
        "member id",
        "member-test-4f8a2c6e-9b1d-4e3a-8c7f-5a0d2b9e6c13",
    );

    let listed = client
        .recovery_codes()
        .get(GetRequest::new(&organization_id, &member_id))
        .await?;
    println!(
        "{} has {} recovery codes in {}",
        listed.member.email_address,
        listed.recovery_codes.len(),
        listed.organization.organization_name
    );

    let first = listed.recovery_codes.first().cloned().unwrap_or_default();
    let code = backend.input("STYTCH_RECOVERY_CODE", "a recovery code", &first);
    let recovered = client
        .recovery_codes()
        .recover(
            RecoverRequest::new(&organization_id, &member_id, code).session_duration_minutes(60),
        )
        .await?;
    println!(
        "logged in with a recovery code; {} codes remain",
        recovered.recovery_codes_remaining
    );

    let rotated = client
        .recovery_codes()
        .rotate(RotateRequest::new(&organization_id, &member_id))
        .await?;
    println!(
        "rotated: {} fresh codes, the old ones no longer work",
        rotated.recovery_codes.len()
    );

    if let Some(mock) = backend.mock() {
        let wrong = client
            .recovery_codes()
            .recover(RecoverRequest::new(
                &organization_id,
                &member_id,
                "not-a-code",
            ))
            .await;
        if let Err(stytch_sdk::Error::Api(api)) = wrong {
            println!("a wrong code fails with {}", api.error_type);
        }
        println!("calls received by the mock: {:?}", mock.called_endpoints());
    }
    Ok(())
}
