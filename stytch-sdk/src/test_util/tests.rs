//! The mock's own rules: unmatched calls, errors, decoding of every encoding.

use serde_json::json;

use super::{MockError, MockStytch};

#[cfg(feature = "consumer")]
#[tokio::test]
async fn an_unconfigured_endpoint_fails_with_a_stytch_error_naming_it() {
    use crate::consumer::otps::AuthenticateRequest;
    let mock = MockStytch::start().await;
    let error = mock
        .client()
        .otps()
        .authenticate(AuthenticateRequest::new("phone-number-test-1", "123456"))
        .await
        .unwrap_err();
    let crate::Error::Api(api) = error else {
        panic!("expected a Stytch error, got {error:?}");
    };
    assert_eq!(api.status_code, 404);
    assert_eq!(api.error_type, "mock_not_configured");
    assert!(
        api.error_message.contains("consumer.otps.authenticate"),
        "{}",
        api.error_message
    );
    let unmatched = mock.unmatched();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].method, "POST");
    assert_eq!(unmatched[0].path, "/v1/otps/authenticate");
    assert_eq!(unmatched[0].endpoints, ["consumer.otps.authenticate"]);
    assert_eq!(mock.call_count::<AuthenticateRequest>(), 0);
}

#[cfg(feature = "consumer")]
#[tokio::test]
async fn a_configured_failure_reaches_the_caller_as_an_api_error() {
    use crate::consumer::otps::AuthenticateRequest;
    let mock = MockStytch::start().await;
    mock.on::<AuthenticateRequest>().fail(MockError::new(
        401,
        "otp_code_not_found",
        "The code is wrong.",
    ));
    let error = mock
        .client()
        .otps()
        .authenticate(AuthenticateRequest::new("phone-number-test-1", "000000"))
        .await
        .unwrap_err();
    let crate::Error::Api(api) = error else {
        panic!("expected a Stytch error, got {error:?}");
    };
    assert_eq!(api.status_code, 401);
    assert_eq!(api.error_type, "otp_code_not_found");
    assert_eq!(api.error_message, "The code is wrong.");
    assert!(api.request_id.starts_with("request-id-test-mock-"));
    // The failed call was still received and decoded.
    assert_eq!(mock.calls::<AuthenticateRequest>()[0].code, "000000");
    // Clearing the answer brings back `mock_not_configured`.
    mock.clear::<AuthenticateRequest>();
    let error = mock
        .client()
        .otps()
        .authenticate(AuthenticateRequest::new("phone-number-test-1", "000000"))
        .await
        .unwrap_err();
    assert!(matches!(error, crate::Error::Api(api) if api.error_type == "mock_not_configured"));
}

#[cfg(feature = "b2b")]
#[tokio::test]
async fn path_parameters_and_member_sessions_are_decoded_into_the_request() {
    use crate::b2b::organizations::members::DeleteRequest;
    let mock = MockStytch::start().await;
    mock.on::<DeleteRequest>().respond_json(json!({
        "member_id": "member-test-1",
        "organization": {
            "organization_id": "organization-test-acme",
            "organization_name": "Acme",
            "organization_slug": "acme"
        }
    }));
    let request = DeleteRequest::new("organization-test-acme", "member-test-1/x y")
        .authorization(crate::MemberSessionAuth::token("session-token-admin"));
    let result = mock
        .b2b_client()
        .organizations()
        .members()
        .delete(request)
        .await;
    // Whatever the canned organization lacks, the request itself was received.
    let _ = result;
    let calls = mock.calls::<DeleteRequest>();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].organization_id, "organization-test-acme");
    assert_eq!(calls[0].member_id, "member-test-1/x y");
    assert_eq!(
        calls[0].authorization,
        Some(crate::MemberSessionAuth::token("session-token-admin"))
    );
}

#[cfg(feature = "consumer")]
#[tokio::test]
async fn query_and_form_requests_are_decoded_with_their_types() {
    use crate::consumer::m2m::TokenRequest;
    use crate::consumer::users::SearchRequest;
    let mock = MockStytch::start().await;
    let client = mock.client();
    // A form body with a space-separated list and a fixed value.
    mock.on::<TokenRequest>()
        .fail(MockError::new(400, "stop", "only the request matters"));
    let _ = client
        .m2m()
        .token(
            TokenRequest::new("m2m-client-test-1", "secret")
                .scope(vec!["read:users".into(), "write:users".into()]),
        )
        .await;
    let token = &mock.calls::<TokenRequest>()[0];
    assert_eq!(token.client_id, "m2m-client-test-1");
    assert_eq!(
        token.scope,
        Some(vec!["read:users".to_owned(), "write:users".to_owned()])
    );
    // A JSON body with a number.
    mock.on::<SearchRequest>()
        .fail(MockError::new(400, "stop", "only the request matters"));
    let _ = client.users().search(SearchRequest::new().limit(20)).await;
    assert_eq!(mock.calls::<SearchRequest>()[0].limit, Some(20));
    // A query string.
    use crate::consumer::sessions::GetRequest;
    mock.on::<GetRequest>()
        .fail(MockError::new(400, "stop", "only the request matters"));
    let _ = client
        .sessions()
        .get(GetRequest::new("user-test-a&b c"))
        .await;
    assert_eq!(mock.calls::<GetRequest>()[0].user_id, "user-test-a&b c");
    // A form body.
    use crate::consumer::idp::IntrospectTokenNetworkRequest;
    mock.on::<IntrospectTokenNetworkRequest>()
        .fail(MockError::new(400, "stop", "only the request matters"));
    let request = IntrospectTokenNetworkRequest::new("token+/=", "connected-app-test-1")
        .token_type_hint("access_token");
    let _ = client.idp().introspect_token_network(request).await;
    let received = &mock.calls::<IntrospectTokenNetworkRequest>()[0];
    assert_eq!(received.token, "token+/=");
    assert_eq!(received.client_id, "connected-app-test-1");
    assert_eq!(received.token_type_hint.as_deref(), Some("access_token"));
    assert!(mock.unmatched().is_empty(), "{:?}", mock.unmatched());
}

#[cfg(feature = "consumer")]
#[tokio::test]
#[should_panic(expected = "does not fit its type")]
async fn a_canned_response_that_does_not_fit_is_refused_at_once() {
    let mock = MockStytch::start().await;
    mock.on::<crate::consumer::otps::AuthenticateRequest>()
        .respond_json(json!({"user_id": 5}));
}

/// Extra headers of `RequestOptions` may not set a member-session header:
/// every one the generated endpoints send is in the reserved list.
#[test]
fn every_member_session_header_of_the_spec_is_reserved() {
    let mut seen = 0;
    for route in super::routes() {
        if let Some((_, token_header, jwt_header)) = route.member_session {
            for header in [token_header, jwt_header] {
                seen += 1;
                assert!(
                    crate::runtime::RESERVED_HEADERS
                        .contains(&header.to_ascii_lowercase().as_str()),
                    "{} sends `{header}`, which extra headers could then replace",
                    route.id
                );
            }
        }
    }
    if cfg!(feature = "b2b") {
        assert!(seen > 0, "the B2B routes name member-session headers");
    }
}
