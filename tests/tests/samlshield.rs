//! The SAML Shield client: its own host, the public token as a bearer
//! credential (never the project secret) and a form-encoded `SAMLResponse`.

use serde_json::json;
use stytch_sdk::samlshield::saml::ValidateRequest;
use stytch_sdk::{Error, SamlShieldClient};
use stytch_tests::{MockServer, Reply};

const PUBLIC_TOKEN: &str = "public-token-test-5f1e2d3c-4b5a-4697-8877-665544332211";
/// A base64 SAML response as an identity provider posts it (`+`, `/` and `=`
/// must survive form encoding).
const SAML_RESPONSE: &str = "PHNhbWxwOlJlc3BvbnNlIElEPSJfYWJjIj4+Lz0=";

fn shield(server: &MockServer) -> SamlShieldClient {
    SamlShieldClient::builder(PUBLIC_TOKEN)
        .api_url(server.url())
        .build()
        .expect("client builds")
}

#[tokio::test]
async fn validate_posts_the_form_field_with_the_public_token() {
    let server = MockServer::start().await;
    server.reply(Reply::json(
        200,
        &json!({"status_code": 200, "request_id": "request-id-shield", "message": "SAML response is valid"}),
    ));
    let answer = shield(&server)
        .saml()
        .validate(ValidateRequest::new(SAML_RESPONSE))
        .await
        .expect("valid");
    assert_eq!(answer.message.as_deref(), Some("SAML response is valid"));

    let request = server.single_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/saml/validate");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {PUBLIC_TOKEN}").as_str())
    );
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        request.form_pairs(),
        vec![("SAMLResponse".to_owned(), SAML_RESPONSE.to_owned())]
    );
}

#[tokio::test]
async fn a_rejected_response_is_a_typed_stytch_error() {
    let server = MockServer::start().await;
    server.reply(Reply::json(
        400,
        &json!({
            "status_code": 400,
            "request_id": "request-id-shield-2",
            "error_type": "xml_comment_in_signed_content",
            "error_message": "The SAML response holds a comment inside signed content.",
            "error_url": "https://stytch.com/docs/api/errors/400"
        }),
    ));
    let error = shield(&server)
        .saml()
        .validate(ValidateRequest::new(SAML_RESPONSE))
        .await
        .expect_err("rejected");
    let api = error.api().expect("a Stytch error");
    assert_eq!(api.error_type, "xml_comment_in_signed_content");
    assert_eq!(error.status(), Some(400));
}

#[test]
fn the_client_needs_a_public_token_and_defaults_to_the_shield_host() {
    assert!(matches!(SamlShieldClient::new(""), Err(Error::Config(_))));
    assert_eq!(stytch_sdk::SAML_SHIELD_URL, "https://api.samlshield.com");
    let debug = format!("{:?}", SamlShieldClient::new(PUBLIC_TOKEN).expect("builds"));
    assert!(debug.contains("https://api.samlshield.com"), "{debug}");
}
