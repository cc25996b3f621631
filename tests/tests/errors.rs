//! How the SDK reports failures: Stytch errors, foreign error pages, bodies
//! that do not decode, parameters that break documented limits, wire values it
//! does not know, and transport failures. Also checks that the secret never
//! shows up in debug output.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use stytch_sdk::consumer::models::sessions::{
    AuthenticationFactorDeliveryMethod as Delivery, AuthenticationFactorType as FactorType,
};
use stytch_sdk::{B2BClient, Client, Error};
use stytch_tests::{MockServer, Reply, fixture_json};

const PROJECT_ID: &str = "project-test-51e0c8a4-7d3b-4f92-a6e1-0b9d2c7f4e38";
const SECRET: &str = "secret-test-Wc4Ty9Ua2Mq7Ks1Xn6Hp3Lb8Dv0Fj5Rg";

const USER_ID: &str = "user-test-5c1e8f3a-2d47-4b9e-a6f0-8e3d9b7c4a12";
const ORG_ID: &str = "organization-test-7b3e9f2a-1c4d-4a8b-b6e5-2d0f8c9a3e71";
const MEMBER_ID: &str = "member-test-4f8a2c6e-9b1d-4e3a-8c7f-5a0d2b9e6c13";
const MEMBER_EMAIL: &str = "grace.hopper@acme-analytics.com";

/// Replaces the value at a JSON pointer, failing when the pointer is wrong.
fn set(value: &mut Value, pointer: &str, replacement: Value) {
    *value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("fixture has no {pointer}")) = replacement;
}

// ---------------------------------------------------------------------------
// Error statuses
// ---------------------------------------------------------------------------

#[tokio::test]
async fn stytch_4xx_error_decodes_into_api_error_with_every_field() {
    let server = MockServer::start().await;
    server.reply(Reply::json(
        401,
        &json!({
            "status_code": 401,
            "request_id": "request-id-test-6f2a9d4c-8b1e-4e73-a5c0-3d7b9f1e2a68",
            "error_type": "unable_to_auth_otp_code",
            "error_message": "The OTP code could not be authenticated because it was either already used or expired.",
            "error_url": "https://stytch.com/docs/api/errors/401#unable_to_auth_otp_code",
        }),
    ));
    let client: Client = server.client(PROJECT_ID, SECRET);

    let err = client
        .otps()
        .authenticate(stytch_sdk::consumer::otps::AuthenticateRequest::new(
            "phone-number-test-0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e",
            "000000",
        ))
        .await
        .expect_err("a 401 is an error");

    assert_eq!(err.status(), Some(401));
    let Error::Api(api) = &err else {
        panic!("expected Error::Api, got {err:?}");
    };
    assert_eq!(api.status_code, 401);
    assert_eq!(
        api.request_id,
        "request-id-test-6f2a9d4c-8b1e-4e73-a5c0-3d7b9f1e2a68"
    );
    assert_eq!(api.error_type, "unable_to_auth_otp_code");
    assert_eq!(
        api.error_message,
        "The OTP code could not be authenticated because it was either already used or expired."
    );
    assert_eq!(
        api.error_url,
        "https://stytch.com/docs/api/errors/401#unable_to_auth_otp_code"
    );
    assert_eq!(err.api(), Some(&**api));
    let text = err.to_string();
    assert!(text.contains("unable_to_auth_otp_code"), "{text}");
    assert!(
        text.contains("request-id-test-6f2a9d4c-8b1e-4e73-a5c0-3d7b9f1e2a68"),
        "{text}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn stytch_error_without_status_code_takes_the_http_status() {
    let server = MockServer::start().await;
    server.reply(Reply::json(
        429,
        &json!({
            "request_id": "request-id-test-0c8e3b5f-2a7d-4d19-96f4-b1e5a8c3d072",
            "error_type": "too_many_requests",
            "error_message": "Too many requests have been made.",
            "error_url": "https://stytch.com/docs/api/errors/429",
        }),
    ));
    let client: B2BClient = server.client(PROJECT_ID, SECRET);

    let err = client
        .totps()
        .create(stytch_sdk::b2b::totps::CreateRequest::new(
            ORG_ID, MEMBER_ID,
        ))
        .await
        .expect_err("a 429 is an error");

    let api = err
        .api()
        .unwrap_or_else(|| panic!("expected Error::Api, got {err:?}"));
    assert_eq!(api.status_code, 429);
    assert_eq!(api.error_type, "too_many_requests");
    assert_eq!(err.status(), Some(429));
}

#[tokio::test]
async fn stytch_5xx_json_error_is_an_api_error() {
    let server = MockServer::start().await;
    server.reply(Reply::json(
        500,
        &json!({
            "status_code": 500,
            "request_id": "request-id-test-d3f7a1c9-5e2b-4b84-8a06-c9e1f4b7d253",
            "error_type": "internal_server_error",
            "error_message": "Oops, something seems to have gone wrong.",
            "error_url": "https://stytch.com/docs/api/errors/500",
        }),
    ));
    let client: B2BClient = server.client(PROJECT_ID, SECRET);

    let err = client
        .recovery_codes()
        .rotate(stytch_sdk::b2b::recovery_codes::RotateRequest::new(
            ORG_ID, MEMBER_ID,
        ))
        .await
        .expect_err("a 500 is an error");

    let Error::Api(api) = &err else {
        panic!("expected Error::Api, got {err:?}");
    };
    assert_eq!(api.status_code, 500);
    assert_eq!(api.error_type, "internal_server_error");
    assert_eq!(api.error_url, "https://stytch.com/docs/api/errors/500");
}

#[tokio::test]
async fn html_5xx_page_is_an_unexpected_response_keeping_status_and_body() {
    let page = "<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n\
                <body>\n<center><h1>502 Bad Gateway</h1></center>\n\
                <hr><center>nginx</center>\n</body>\n</html>\n";
    let server = MockServer::start().await;
    for _ in 0..3 {
        server.reply(Reply::text(502, page));
    }
    let client: B2BClient = server.client(PROJECT_ID, SECRET);

    let err = client
        .recovery_codes()
        .get(stytch_sdk::b2b::recovery_codes::GetRequest::new(
            ORG_ID, MEMBER_ID,
        ))
        .await
        .expect_err("a 502 is an error");

    assert_eq!(err.status(), Some(502));
    assert!(err.api().is_none());
    let Error::UnexpectedResponse {
        endpoint,
        status,
        body,
        attempts,
        ..
    } = err
    else {
        panic!("expected Error::UnexpectedResponse, got {err:?}");
    };
    assert_eq!(endpoint, "b2b.recovery_codes.get");
    assert_eq!(status, 502);
    assert_eq!(body.as_str(), page);
    assert_eq!(body.len(), page.len());
    // A GET meeting a 502 is tried the default three times.
    assert_eq!(attempts, 3);
}

#[tokio::test]
async fn json_4xx_that_is_not_a_stytch_error_is_an_unexpected_response() {
    let gateway = r#"{"message":"Forbidden","reason":"ip_not_allowed"}"#;
    let server = MockServer::start().await;
    server.reply(Reply {
        status: 403,
        content_type: "application/json",
        body: gateway.as_bytes().to_vec(),
    });
    let client: Client = server.client(PROJECT_ID, SECRET);

    let err = client
        .totps()
        .recovery_codes(stytch_sdk::consumer::totps::RecoveryCodesRequest::new(
            USER_ID,
        ))
        .await
        .expect_err("a 403 is an error");

    let Error::UnexpectedResponse {
        endpoint,
        status,
        body,
        attempts,
        ..
    } = err
    else {
        panic!("expected Error::UnexpectedResponse, got {err:?}");
    };
    assert_eq!(endpoint, "consumer.totps.recovery_codes");
    assert_eq!(status, 403);
    assert_eq!(body.as_str(), gateway);
    assert_eq!(attempts, 1);
}

// ---------------------------------------------------------------------------
// Success bodies that do not decode
// ---------------------------------------------------------------------------

#[tokio::test]
async fn decode_error_names_the_failing_field_and_the_endpoint() {
    let mut body = fixture_json("consumer_totps_create");
    set(&mut body, "/user/emails/0/verified", json!("yes"));
    let server = MockServer::start().await;
    server.reply(Reply::json(200, &body));
    let client: Client = server.client(PROJECT_ID, SECRET);

    let err = client
        .totps()
        .create(stytch_sdk::consumer::totps::CreateRequest::new(USER_ID))
        .await
        .expect_err("a string where a boolean belongs does not decode");

    let Error::Decode {
        endpoint,
        path,
        message,
        body: raw,
    } = err
    else {
        panic!("expected Error::Decode, got {err:?}");
    };
    assert_eq!(endpoint, "consumer.totps.create");
    assert_eq!(path, "user.emails[0].verified");
    assert!(message.contains("boolean"), "{message}");
    assert_eq!(serde_json::from_str::<Value>(raw.as_str()).unwrap(), body);
}

#[tokio::test]
async fn decode_error_on_a_bad_timestamp_in_a_member_session() {
    let mut body = fixture_json("b2b_totps_authenticate");
    set(
        &mut body,
        "/member_session/started_at",
        json!("11/03/2024 18:03"),
    );
    let server = MockServer::start().await;
    server.reply(Reply::json(200, &body));
    let client: B2BClient = server.client(PROJECT_ID, SECRET);

    let err = client
        .totps()
        .authenticate(stytch_sdk::b2b::totps::AuthenticateRequest::new(
            ORG_ID, MEMBER_ID, "103954",
        ))
        .await
        .expect_err("a timestamp that is not RFC 3339 does not decode");

    let Error::Decode { endpoint, path, .. } = err else {
        panic!("expected Error::Decode, got {err:?}");
    };
    assert_eq!(endpoint, "b2b.totps.authenticate");
    assert_eq!(path, "member_session.started_at");
}

#[tokio::test]
async fn decode_error_deep_inside_a_list_of_discovered_organizations() {
    let mut body = fixture_json("b2b_otps_email_discovery_authenticate");
    set(
        &mut body,
        "/discovered_organizations/0/membership/member/is_admin",
        json!("true"),
    );
    let server = MockServer::start().await;
    server.reply(Reply::json(200, &body));
    let client: B2BClient = server.client(PROJECT_ID, SECRET);

    let err = client
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
        .expect_err("a string where a boolean belongs does not decode");

    let Error::Decode { endpoint, path, .. } = err else {
        panic!("expected Error::Decode, got {err:?}");
    };
    assert_eq!(endpoint, "b2b.otps.email.discovery.authenticate");
    assert_eq!(
        path,
        "discovered_organizations[0].membership.member.is_admin"
    );
}

#[tokio::test]
async fn decode_error_on_a_missing_required_field() {
    let mut body = fixture_json("consumer_otps_sms_send");
    body.as_object_mut().unwrap().remove("phone_id");
    let server = MockServer::start().await;
    server.reply(Reply::json(200, &body));
    let client: Client = server.client(PROJECT_ID, SECRET);

    let err = client
        .otps()
        .sms()
        .send(stytch_sdk::consumer::otps::sms::SendRequest::new(
            "+14155550123",
        ))
        .await
        .expect_err("a response without phone_id does not decode");

    let Error::Decode {
        endpoint, message, ..
    } = err
    else {
        panic!("expected Error::Decode, got {err:?}");
    };
    assert_eq!(endpoint, "consumer.otps.sms.send");
    assert!(message.contains("phone_id"), "{message}");
}

#[tokio::test]
async fn non_json_success_body_is_a_decode_error_keeping_the_body() {
    let server = MockServer::start().await;
    server.reply(Reply::text(200, "<html>maintenance</html>"));
    let client: Client = server.client(PROJECT_ID, SECRET);

    let err = client
        .totps()
        .create(stytch_sdk::consumer::totps::CreateRequest::new(USER_ID))
        .await
        .expect_err("HTML does not decode");

    let Error::Decode { endpoint, body, .. } = err else {
        panic!("expected Error::Decode, got {err:?}");
    };
    assert_eq!(endpoint, "consumer.totps.create");
    assert_eq!(body.as_str(), "<html>maintenance</html>");
}

// ---------------------------------------------------------------------------
// Documented constraints
// ---------------------------------------------------------------------------

/// Unwraps an `InvalidParameter` error into (endpoint, parameter, message).
fn invalid_parameter<T: std::fmt::Debug>(
    result: Result<T, Error>,
) -> (&'static str, &'static str, String) {
    match result {
        Err(Error::InvalidParameter {
            endpoint,
            parameter,
            message,
        }) => (endpoint, parameter, message),
        other => panic!("expected Error::InvalidParameter, got {other:?}"),
    }
}

#[tokio::test]
async fn totp_expiration_below_minimum_is_rejected_without_a_request() {
    let server = MockServer::start().await;
    let client: Client = server.client(PROJECT_ID, SECRET);

    let result = client
        .totps()
        .create(stytch_sdk::consumer::totps::CreateRequest::new(USER_ID).expiration_minutes(2))
        .await;

    let (endpoint, parameter, message) = invalid_parameter(result);
    assert_eq!(endpoint, "consumer.totps.create");
    assert_eq!(parameter, "expiration_minutes");
    assert!(message.contains('2') && message.contains('5'), "{message}");
    assert!(server.requests().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn totp_expiration_above_maximum_is_rejected_without_a_request() {
    let server = MockServer::start().await;
    let client: Client = server.client(PROJECT_ID, SECRET);

    let result = client
        .totps()
        .create(stytch_sdk::consumer::totps::CreateRequest::new(USER_ID).expiration_minutes(1441))
        .await;

    let (endpoint, parameter, message) = invalid_parameter(result);
    assert_eq!(endpoint, "consumer.totps.create");
    assert_eq!(parameter, "expiration_minutes");
    assert!(message.contains("1440"), "{message}");
    assert!(server.requests().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn totp_expiration_bounds_are_inclusive() {
    let server = MockServer::start().await;
    let reply = Reply::json(200, &fixture_json("consumer_totps_create"));
    server.reply(reply.clone());
    server.reply(reply);
    let client: Client = server.client(PROJECT_ID, SECRET);

    for minutes in [5, 1440] {
        client
            .totps()
            .create(
                stytch_sdk::consumer::totps::CreateRequest::new(USER_ID)
                    .expiration_minutes(minutes),
            )
            .await
            .unwrap_or_else(|e| panic!("{minutes} minutes is allowed: {e}"));
    }
    let sent: Vec<Value> = server.requests().iter().map(|r| r.json()).collect();
    assert_eq!(
        sent,
        [
            json!({"user_id": USER_ID, "expiration_minutes": 5}),
            json!({"user_id": USER_ID, "expiration_minutes": 1440}),
        ]
    );
}

#[tokio::test]
async fn b2b_login_expiration_above_maximum_is_rejected_without_a_request() {
    let server = MockServer::start().await;
    let client: B2BClient = server.client(PROJECT_ID, SECRET);

    let result = client
        .otps()
        .email()
        .login_or_signup(
            stytch_sdk::b2b::otps::email::LoginOrSignupRequest::new(ORG_ID, MEMBER_EMAIL)
                .login_expiration_minutes(16),
        )
        .await;

    let (endpoint, parameter, message) = invalid_parameter(result);
    assert_eq!(endpoint, "b2b.otps.email.login_or_signup");
    assert_eq!(parameter, "login_expiration_minutes");
    assert!(
        message.contains("16") && message.contains("15"),
        "{message}"
    );
    assert!(server.requests().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn b2b_signup_expiration_below_minimum_is_rejected_without_a_request() {
    let server = MockServer::start().await;
    let client: B2BClient = server.client(PROJECT_ID, SECRET);

    let result = client
        .otps()
        .email()
        .login_or_signup(
            stytch_sdk::b2b::otps::email::LoginOrSignupRequest::new(ORG_ID, MEMBER_EMAIL)
                .login_expiration_minutes(10)
                .signup_expiration_minutes(1),
        )
        .await;

    let (endpoint, parameter, _) = invalid_parameter(result);
    assert_eq!(endpoint, "b2b.otps.email.login_or_signup");
    assert_eq!(parameter, "signup_expiration_minutes");
    assert!(server.requests().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn other_seed_limits_are_enforced_before_sending() {
    let server = MockServer::start().await;
    let users: Client = server.client(PROJECT_ID, SECRET);
    let members: B2BClient = server.client(PROJECT_ID, SECRET);

    let (endpoint, parameter, _) = invalid_parameter(
        users
            .otps()
            .sms()
            .send(
                stytch_sdk::consumer::otps::sms::SendRequest::new("+14155550123")
                    .expiration_minutes(11),
            )
            .await,
    );
    assert_eq!(
        (endpoint, parameter),
        ("consumer.otps.sms.send", "expiration_minutes")
    );

    let (endpoint, parameter, _) = invalid_parameter(
        users
            .totps()
            .recover(
                stytch_sdk::consumer::totps::RecoverRequest::new(USER_ID, "r3tn-8fza-6cvb")
                    .session_duration_minutes(527_041),
            )
            .await,
    );
    assert_eq!(
        (endpoint, parameter),
        ("consumer.totps.recover", "session_duration_minutes")
    );

    let (endpoint, parameter, _) = invalid_parameter(
        members
            .totps()
            .authenticate(
                stytch_sdk::b2b::totps::AuthenticateRequest::new(ORG_ID, MEMBER_ID, "103954")
                    .session_duration_minutes(4),
            )
            .await,
    );
    assert_eq!(
        (endpoint, parameter),
        ("b2b.totps.authenticate", "session_duration_minutes")
    );

    let (endpoint, parameter, _) = invalid_parameter(
        members
            .otps()
            .email()
            .discovery()
            .send(
                stytch_sdk::b2b::otps::email::discovery::SendRequest::new(MEMBER_EMAIL)
                    .discovery_expiration_minutes(1),
            )
            .await,
    );
    assert_eq!(
        (endpoint, parameter),
        (
            "b2b.otps.email.discovery.send",
            "discovery_expiration_minutes"
        )
    );

    assert!(server.requests().is_empty(), "nothing may be sent");
}

// ---------------------------------------------------------------------------
// Enum values the SDK does not know
// ---------------------------------------------------------------------------

#[tokio::test]
async fn unknown_enum_wire_values_decode_as_unrecognized() {
    let mut body = fixture_json("consumer_totps_authenticate");
    set(
        &mut body,
        "/session/authentication_factors/0/type",
        json!("passkey"),
    );
    set(
        &mut body,
        "/session/authentication_factors/0/delivery_method",
        json!("passkey_synced"),
    );
    let server = MockServer::start().await;
    server.reply(Reply::json(200, &body));
    let client: Client = server.client(PROJECT_ID, SECRET);

    let response = client
        .totps()
        .authenticate(stytch_sdk::consumer::totps::AuthenticateRequest::new(
            USER_ID, "576831",
        ))
        .await
        .expect("unknown enum values still decode");

    let factor = &response.session.as_ref().unwrap().authentication_factors[0];
    assert_eq!(
        factor.r#type,
        FactorType::Unrecognized("passkey".to_owned())
    );
    assert_eq!(
        factor.delivery_method,
        Delivery::Unrecognized("passkey_synced".to_owned())
    );
    // The rest of the factor is still read.
    assert_eq!(
        factor.authenticator_app_factor.as_ref().unwrap().totp_id,
        "totp-test-2e7f4a9c-3b1d-4c8e-a5f2-6d9b0e3c7a14"
    );
}

#[tokio::test]
async fn unknown_enum_wire_values_in_a_member_session_decode_as_unrecognized() {
    let mut body = fixture_json("b2b_totps_authenticate");
    set(
        &mut body,
        "/member_session/authentication_factors/1/delivery_method",
        json!("oauth_exchange_notion"),
    );
    let server = MockServer::start().await;
    server.reply(Reply::json(200, &body));
    let client: B2BClient = server.client(PROJECT_ID, SECRET);

    let response = client
        .totps()
        .authenticate(stytch_sdk::b2b::totps::AuthenticateRequest::new(
            ORG_ID, MEMBER_ID, "103954",
        ))
        .await
        .expect("unknown enum values still decode");

    let factors = &response
        .member_session
        .as_ref()
        .unwrap()
        .authentication_factors;
    assert_eq!(factors[0].delivery_method, Delivery::Email);
    assert_eq!(factors[1].r#type, FactorType::Totp);
    assert_eq!(
        factors[1].delivery_method,
        Delivery::Unrecognized("oauth_exchange_notion".to_owned())
    );
}

#[tokio::test]
async fn unrecognized_request_enum_value_is_sent_verbatim() {
    use stytch_sdk::consumer::models::otp_sms::SendRequestLocale;
    let server = MockServer::start().await;
    server.reply(Reply::json(200, &fixture_json("consumer_otps_sms_send")));
    let client: Client = server.client(PROJECT_ID, SECRET);

    client
        .otps()
        .sms()
        .send(
            stytch_sdk::consumer::otps::sms::SendRequest::new("+14155550123")
                .locale(SendRequestLocale::Unrecognized("ko".to_owned())),
        )
        .await
        .expect("sms.send succeeds");

    assert_eq!(
        server.single_request().json(),
        json!({"phone_number": "+14155550123", "locale": "ko"})
    );
}

// ---------------------------------------------------------------------------
// Secrets and transport
// ---------------------------------------------------------------------------

#[test]
fn debug_output_never_contains_the_secret() {
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("{PROJECT_ID}:{SECRET}"));
    let builder = format!("{:?}", Client::builder(PROJECT_ID, SECRET));
    let client = format!(
        "{:?}",
        Client::builder(PROJECT_ID, SECRET)
            .api_url("http://127.0.0.1:9")
            .build()
            .unwrap()
    );
    let b2b = format!(
        "{:?}",
        B2BClient::builder(PROJECT_ID, SECRET)
            .api_url("http://127.0.0.1:9")
            .build()
            .unwrap()
    );
    for (what, text) in [
        ("builder", builder),
        ("client", client),
        ("b2b client", b2b),
    ] {
        // The output is real: it names the project...
        assert!(text.contains(PROJECT_ID), "{what}: {text}");
        // ...but neither the secret nor the encoded credentials.
        assert!(!text.contains(SECRET), "{what} leaks the secret: {text}");
        assert!(
            !text.contains("Wc4Ty9Ua2Mq7Ks1Xn6Hp3Lb8Dv0Fj5Rg"),
            "{what} leaks the secret: {text}"
        );
        assert!(
            !text.contains(&credentials),
            "{what} leaks the credentials: {text}"
        );
    }
}

#[tokio::test]
async fn connection_refused_is_an_http_error() {
    // Take a free port, then close it so nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().unwrap().port()
    };
    let client = Client::builder(PROJECT_ID, SECRET)
        .api_url(format!("http://127.0.0.1:{port}"))
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client builds");

    let err = client
        .totps()
        .create(stytch_sdk::consumer::totps::CreateRequest::new(USER_ID))
        .await
        .expect_err("nothing listens on the port");

    assert_eq!(err.status(), None);
    let Error::Http {
        endpoint, source, ..
    } = &err
    else {
        panic!("expected Error::Http, got {err:?}");
    };
    assert_eq!(*endpoint, "consumer.totps.create");
    assert!(source.is_connect(), "not a connect error: {source:?}");
    assert!(err.to_string().starts_with("consumer.totps.create: "));
}

#[tokio::test]
async fn connection_refused_is_an_http_error_for_b2b_too() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().unwrap().port()
    };
    let client = B2BClient::builder(PROJECT_ID, SECRET)
        .api_url(format!("http://127.0.0.1:{port}"))
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client builds");

    let err = client
        .recovery_codes()
        .get(stytch_sdk::b2b::recovery_codes::GetRequest::new(
            ORG_ID, MEMBER_ID,
        ))
        .await
        .expect_err("nothing listens on the port");

    match err {
        Error::Http {
            endpoint, source, ..
        } => {
            assert_eq!(endpoint, "b2b.recovery_codes.get");
            assert!(source.is_connect(), "not a connect error: {source:?}");
        }
        other => panic!("expected Error::Http, got {other:?}"),
    }
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    // Accepts connections and holds them open without ever replying.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().unwrap();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let client = Client::builder(PROJECT_ID, SECRET)
        .api_url(format!("http://{addr}"))
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client builds");

    let err = client
        .totps()
        .create(stytch_sdk::consumer::totps::CreateRequest::new(USER_ID))
        .await
        .expect_err("the server never answers");
    silent.abort();

    let Error::Timeout {
        endpoint,
        timeout,
        attempts,
    } = &err
    else {
        panic!("expected Error::Timeout, got {err:?}");
    };
    assert_eq!(*endpoint, "consumer.totps.create");
    assert_eq!(*timeout, Duration::from_millis(300));
    // A POST that is not idempotent is sent once.
    assert_eq!(*attempts, 1);
    assert!(err.is_timeout());
}

#[tokio::test]
async fn calls_run_on_spawned_tasks_and_errors_cross_threads() {
    fn send_sync_static<T: Send + Sync + 'static>(_: &T) {}
    let server = MockServer::start().await;
    server.reply(Reply::text(503, "upstream unavailable"));
    let client: Client = server.client(PROJECT_ID, SECRET);

    // `tokio::spawn` only compiles when the call's future is `Send`.
    let task = tokio::spawn(async move {
        client
            .totps()
            .create(stytch_sdk::consumer::totps::CreateRequest::new(USER_ID))
            .await
    });
    let err = task.await.expect("task completes").expect_err("a 503");
    send_sync_static(&err);
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err);
    // The message names the status; the body (which may hold secrets) stays
    // behind the explicit accessor.
    assert!(boxed.to_string().contains("HTTP 503"), "{boxed}");
    assert!(
        !boxed.to_string().contains("upstream unavailable"),
        "{boxed}"
    );
    let err = boxed.downcast::<Error>().expect("an SDK error");
    assert_eq!(err.raw_body(), Some("upstream unavailable"));
}

/// JSON pointers of every number, string and boolean in `value`.
fn leaves(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                leaves(inner, format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (index, inner) in items.iter().enumerate() {
                leaves(inner, format!("{at}/{index}"), out);
            }
        }
        Value::Null => {}
        _ => out.push(at),
    }
}

/// Every value of two nested answers is replaced in turn by an object where
/// a scalar belongs: the decode error names the same path as decoding with
/// `serde_path_to_error`, which tracks the path as it goes.
#[tokio::test]
async fn decode_error_paths_agree_with_path_tracking_for_every_value() {
    let server = MockServer::start().await;
    let consumer: Client = server.client(PROJECT_ID, SECRET);
    let b2b: B2BClient = server.client(PROJECT_ID, SECRET);
    let mut checked = 0;
    for fixture in [
        "consumer_totps_create",
        "b2b_otps_email_discovery_authenticate",
    ] {
        let body = fixture_json(fixture);
        let mut pointers = Vec::new();
        leaves(&body, String::new(), &mut pointers);
        for pointer in pointers {
            let mut bad = body.clone();
            set(&mut bad, &pointer, json!({"unexpected": [1]}));
            server.reply(Reply::json(200, &bad));
            let (ours, tracked) = if fixture.starts_with("consumer") {
                let ours = consumer
                    .totps()
                    .create(stytch_sdk::consumer::totps::CreateRequest::new(USER_ID))
                    .await
                    .map(drop);
                let tracked = serde_path_to_error::deserialize::<
                    _,
                    stytch_sdk::consumer::totps::CreateResponse,
                >(&bad)
                .map(drop);
                (ours, tracked)
            } else {
                let request = stytch_sdk::b2b::otps::email::discovery::AuthenticateRequest::new(
                    MEMBER_EMAIL,
                    "739201",
                );
                let ours = b2b
                    .otps()
                    .email()
                    .discovery()
                    .authenticate(request)
                    .await
                    .map(drop);
                let tracked = serde_path_to_error::deserialize::<
                    _,
                    stytch_sdk::b2b::otps::email::discovery::AuthenticateResponse,
                >(&bad)
                .map(drop);
                (ours, tracked)
            };
            match (ours, tracked) {
                // A field that takes any JSON value (metadata) accepts it.
                (Ok(()), Ok(())) => {}
                (Err(Error::Decode { path, .. }), Err(tracked)) => {
                    assert_eq!(path, tracked.path().to_string(), "{fixture} {pointer}");
                    checked += 1;
                }
                (ours, tracked) => panic!("{fixture} {pointer}: {ours:?} vs {tracked:?}"),
            }
        }
    }
    assert!(checked > 50, "only {checked} values checked");
}
