//! What a downstream test gets from `stytch_sdk::test_util` besides canned
//! JSON: answers built from the typed request, fixture records, Stytch's
//! default RBAC policy, rate limits with `Retry-After`, and Stytch hanging
//! or unreachable.

use std::time::Duration;

use serde_json::json;
use stytch_sdk::auth::{AuthError, MemberSessionJwtOptions};
use stytch_sdk::test_util::fixtures::{
    M2mClientFixture, MemberFixture, MemberSessionFixture, OrganizationFixture, SessionFixture,
    UserFixture,
};
use stytch_sdk::test_util::{MockError, MockStytch, SessionClaims};
use stytch_sdk::{Client, Error, RetryPolicy};

#[tokio::test]
async fn respond_json_with_fills_status_code_and_request_id() {
    use stytch_sdk::consumer::magic_links::email::LoginOrCreateRequest;
    let mock = MockStytch::start().await;
    mock.on::<LoginOrCreateRequest>()
        .respond_json_with(|request| {
            Ok(json!({
                "user_id": "user-test-1",
                "email_id": "email-test-1",
                "user_created": request.email.starts_with("new"),
            }))
        });
    let client = mock.client();
    let sent = client
        .magic_links()
        .email()
        .login_or_create(LoginOrCreateRequest::new("new@example.com"))
        .await
        .expect("the body lacks status_code and request_id; the mock adds them");
    assert!(sent.user_created);
    assert_eq!(sent.status_code, 200);
    assert!(sent.request_id.starts_with("request-id-test-mock-"));
    let again = client
        .magic_links()
        .email()
        .login_or_create(LoginOrCreateRequest::new("old@example.com"))
        .await
        .unwrap();
    assert!(!again.user_created, "the closure sees each request");
}

#[tokio::test]
async fn respond_json_with_names_the_field_a_wrong_answer_lacks() {
    use stytch_sdk::consumer::magic_links::email::LoginOrCreateRequest;
    let mock = MockStytch::start().await;
    mock.on::<LoginOrCreateRequest>()
        .respond_json_with(|_| Ok(json!({"user_id": "user-test-1", "user_created": true})));
    let error = mock
        .client()
        .magic_links()
        .email()
        .login_or_create(LoginOrCreateRequest::new("ada@example.com"))
        .await
        .unwrap_err();
    let api = error.api().expect("a Stytch-shaped error");
    assert_eq!(
        (api.status_code, api.error_type.as_str()),
        (500, "mock_invalid_response")
    );
    assert!(
        api.error_message.contains("email_id"),
        "{}",
        api.error_message
    );
}

#[tokio::test]
async fn fixtures_travel_through_the_mock_unchanged() {
    let mock = MockStytch::start().await;
    let user = UserFixture::new("user-test-ada")
        .email("ada@example.com")
        .phone_number("+12025550123")
        .name("Ada", "Lovelace")
        .roles(["editor"])
        .build();
    let session = SessionFixture::new("user-test-ada")
        .roles(["editor"])
        .build();
    mock.on::<stytch_sdk::consumer::sessions::AuthenticateRequest>()
        .respond_json(json!({
            "user": user,
            "session": session,
            "session_token": "session-token-test-ada",
            "session_jwt": "",
        }));
    let answer = mock
        .client()
        .sessions()
        .authenticate(
            stytch_sdk::consumer::sessions::AuthenticateRequest::new()
                .session_token("session-token-test-ada"),
        )
        .await
        .expect("fixtures decode as the API's records");
    assert_eq!(answer.user, user);
    assert_eq!(answer.session, session);
    assert_eq!(answer.user.roles, ["stytch_user", "editor"]);
    assert_eq!(answer.user.phone_numbers[0].phone_number, "+12025550123");
    let now = time::OffsetDateTime::now_utc();
    assert!(answer.session.started_at < Some(now) && answer.session.expires_at > Some(now));

    let client = M2mClientFixture::new("m2m-client-test-robot")
        .scopes(["read:users"])
        .build();
    mock.on::<stytch_sdk::consumer::m2m::clients::GetRequest>()
        .respond_json(json!({ "m2m_client": client }));
    let fetched = mock
        .client()
        .m2m()
        .clients()
        .get(stytch_sdk::consumer::m2m::clients::GetRequest::new(
            "m2m-client-test-robot",
        ))
        .await
        .unwrap();
    assert_eq!(fetched.m2m_client, client);
    assert_eq!(fetched.m2m_client.status, "active");

    let organization = OrganizationFixture::new("organization-test-acme")
        .name("Acme", "acme")
        .build();
    let member = MemberFixture::new("organization-test-acme", "member-test-grace")
        .email("grace@acme.example")
        .roles(["stytch_admin"])
        .build();
    let member_session =
        MemberSessionFixture::new("organization-test-acme", "member-test-grace").build();
    mock.on::<stytch_sdk::b2b::sessions::AuthenticateRequest>()
        .respond_json(json!({
            "member_id": "member-test-grace",
            "member_session": member_session,
            "session_token": "session-token-test-grace",
            "session_jwt": "",
            "member": member,
            "organization": organization,
            "member_authenticated": true,
        }));
    let answer = mock
        .b2b_client()
        .sessions()
        .authenticate(
            stytch_sdk::b2b::sessions::AuthenticateRequest::new()
                .session_token("session-token-test-grace"),
        )
        .await
        .expect("B2B fixtures decode as the API's records");
    assert_eq!(answer.member, member);
    assert_eq!(answer.organization, organization);
    assert_eq!(answer.member_session, member_session);
    let roles: Vec<&str> = answer
        .member
        .roles
        .iter()
        .map(|r| r.role_id.as_str())
        .collect();
    assert_eq!(roles, ["stytch_member", "stytch_admin"]);
}

#[tokio::test]
async fn a_mock_error_carries_retry_after_to_the_caller() {
    use stytch_sdk::consumer::otps::AuthenticateRequest;
    let mock = MockStytch::start().await;
    mock.on::<AuthenticateRequest>().fail(
        MockError::new(429, "too_many_requests", "Slow down.")
            .retry_after(Duration::from_millis(2500)),
    );
    let error = mock
        .client()
        .otps()
        .authenticate(AuthenticateRequest::new("phone-number-test-1", "123456"))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(429));
    assert_eq!(
        error.retry_after(),
        Some(Duration::from_secs(3)),
        "whole seconds, rounded up"
    );
    assert_eq!(error.http_status(), 429);
}

/// A client of the mock that gives up quickly and does not retry.
fn impatient(mock: &MockStytch) -> Client {
    mock.builder()
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_mock_can_hang_or_be_unreachable() {
    use stytch_sdk::consumer::users::GetRequest;
    let mock = MockStytch::start().await;
    mock.on::<GetRequest>().time_out();
    let error = impatient(&mock)
        .users()
        .get(GetRequest::new("user-test-1"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(error.is_timeout() && error.is_retryable());
    assert_eq!(error.http_status(), 503);

    mock.on::<GetRequest>().disconnect();
    let error = impatient(&mock)
        .users()
        .get(GetRequest::new("user-test-1"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Http { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(error.http_status(), 503);
    assert_eq!(mock.call_count::<GetRequest>(), 2, "both calls arrived");
}

#[tokio::test]
async fn stytch_default_roles_and_resources_can_be_served() {
    let mock = MockStytch::start().await;
    mock.serve_stytch_default_policy();
    let b2b = mock.b2b_client();
    let org = "organization-test-acme";
    let admin =
        mock.session_jwt(&SessionClaims::member("member-test-ada", org).roles(["stytch_admin"]));
    let member =
        mock.session_jwt(&SessionClaims::member("member-test-bob", org).roles(["stytch_member"]));
    let check = |resource: &str, action: &str| {
        MemberSessionJwtOptions::new().authorize(org, resource, action)
    };

    for (resource, action) in [
        ("stytch.member", "search"),
        ("stytch.member", "update.settings.roles"),
        ("stytch.organization", "update.info.name"),
        ("stytch.sso", "create"),
    ] {
        b2b.sessions()
            .authenticate_jwt_local(&admin, &check(resource, action))
            .await
            .unwrap_or_else(|e| panic!("stytch_admin may {action} on {resource}: {e}"));
    }
    b2b.sessions()
        .authenticate_jwt_local(&member, &check("stytch.self", "update.info.name"))
        .await
        .expect("stytch_member may rename itself");
    let error = b2b
        .sessions()
        .authenticate_jwt_local(&member, &check("stytch.member", "delete"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Auth(AuthError::PermissionDenied { .. })),
        "{error:?}"
    );
    assert_eq!(error.http_status(), 403);

    let roles = stytch_sdk::test_util::stytch_default_consumer_policy()["roles"].clone();
    assert_eq!(roles[0]["role_id"], "stytch_user");
}
