//! The Management API client: workspace key or access token credentials, its
//! own host, 201 answers, answers without `status_code`, `false` sent as
//! `false`, and the enums' "not set" placeholder (decoded, never sent).

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use serde_json::json;
use stytch_sdk::management::models::email_templates::TemplateType;
use stytch_sdk::management::models::projects::Vertical;
use stytch_sdk::management::{email_templates, migration, password_strength_config, projects};
use stytch_sdk::management::{redirect_urls, secrets};
use stytch_sdk::{Error, ManagementClient};
use stytch_tests::{MockServer, Reply, basic_auth};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

const KEY_ID: &str = "workspace-key-test-6b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
const KEY_SECRET: &str = "workspace-secret-Qw3Er5Ty7Ui9Op1As";
const ACCESS_TOKEN: &str = "access-token-Zx8Cv6Bn4Ml2Kj0Hg";

fn client(server: &MockServer) -> ManagementClient {
    ManagementClient::builder(KEY_ID, KEY_SECRET)
        .api_url(server.url())
        .build()
        .expect("client builds")
}

fn project(vertical: &str) -> serde_json::Value {
    json!({
        "project_slug": "acme",
        "name": "Acme",
        "vertical": vertical,
        "created_at": "2026-01-02T03:04:05Z"
    })
}

#[tokio::test]
async fn a_workspace_key_is_sent_as_basic_credentials_and_201_is_success() {
    let server = MockServer::start().await;
    server.reply(Reply::json(
        201,
        &json!({"status_code": 201, "request_id": "request-id-mgmt-1", "project": project("B2B")}),
    ));
    let created = client(&server)
        .projects()
        .create(projects::CreateRequest::new("Acme").vertical(Vertical::B2b))
        .await
        .expect("a 201 answer is a success");
    assert_eq!(created.status_code, 201);
    assert_eq!(created.project.vertical, Some(Vertical::B2b));

    let request = server.single_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/pwa/v3/projects");
    assert_eq!(
        request.header("authorization"),
        Some(basic_auth(KEY_ID, KEY_SECRET).as_str())
    );
    assert_eq!(request.json(), json!({"name": "Acme", "vertical": "B2B"}));
}

#[tokio::test]
async fn an_access_token_is_sent_as_a_bearer_token() {
    let server = MockServer::start().await;
    server.reply(Reply::json(
        200,
        &json!({"status_code": 200, "request_id": "request-id-mgmt-2", "projects": []}),
    ));
    let client = ManagementClient::access_token_builder(ACCESS_TOKEN)
        .api_url(server.url())
        .build()
        .expect("client builds");
    client
        .projects()
        .get_all(projects::GetAllRequest::new())
        .await
        .expect("listed");
    let request = server.single_request();
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
}

#[tokio::test]
async fn a_post_without_parameters_sends_an_empty_object() {
    let server = MockServer::start().await;
    server.reply(Reply::json(
        200,
        &json!({
            "status_code": 200,
            "request_id": "request-id-mgmt-3",
            "secret": {"secret_id": "secret-1", "secret": "s3cr3t", "created_at": "2026-01-02T03:04:05Z"}
        }),
    ));
    client(&server)
        .secrets()
        .create(secrets::CreateRequest::new("acme", "production"))
        .await
        .expect("created");
    let request = server.single_request();
    assert_eq!(
        request.path,
        "/pwa/v3/projects/acme/environments/production/secrets"
    );
    assert_eq!(request.json(), json!({}));
}

#[tokio::test]
async fn migration_answers_carry_no_status_code() {
    let server = MockServer::start().await;
    server.reply(Reply::json(
        200,
        &json!({
            "request_id": "request-id-mgmt-4",
            "projects": [{
                "live_project_id": "project-live-1", "test_project_id": "project-test-1",
                "live_project_slug": "production", "test_project_slug": "test",
                "project_slug": "acme", "name": "Acme", "vertical": "CONSUMER",
                "created_at": "2024-05-06T07:08:09Z"
            }]
        }),
    ));
    let answer = client(&server)
        .migration()
        .get_projects(migration::GetProjectsRequest::new())
        .await
        .expect("an answer without status_code decodes");
    assert_eq!(answer.projects[0].project_slug, "acme");
    assert_eq!(server.single_request().path, "/web/v1/projects");
}

#[tokio::test]
async fn booleans_set_to_false_are_sent_as_false() {
    let server = MockServer::start().await;
    server.reply(Reply::json(
        200,
        &json!({
            "status_code": 200,
            "request_id": "request-id-mgmt-5",
            "password_strength_config": {
                "check_breach_on_creation": false,
                "check_breach_on_authentication": false,
                "validate_on_authentication": false
            }
        }),
    ));
    server.reply(Reply::json(
        200,
        &json!({"status_code": 200, "request_id": "request-id-mgmt-6"}),
    ));
    let client = client(&server);
    client
        .password_strength_config()
        .set(password_strength_config::SetRequest::new(
            "acme",
            "production",
            false,
            false,
            false,
        ))
        .await
        .expect("set");
    client
        .redirect_urls()
        .delete(
            redirect_urls::DeleteRequest::new("acme", "production", "https://example.com/cb?x=1")
                .do_not_promote_defaults(false),
        )
        .await
        .expect("deleted");
    let requests = server.requests();
    assert_eq!(
        requests[0].json(),
        json!({
            "check_breach_on_creation": false,
            "check_breach_on_authentication": false,
            "validate_on_authentication": false
        })
    );
    assert_eq!(requests[1].method, "DELETE");
    assert_eq!(
        requests[1].query_pairs(),
        vec![
            ("do_not_promote_defaults".to_owned(), "false".to_owned()),
            ("url".to_owned(), "https://example.com/cb?x=1".to_owned()),
        ]
    );
}

#[tokio::test]
async fn the_not_set_placeholder_is_decoded_but_never_sent() {
    let server = MockServer::start().await;
    server.reply(Reply::json(
        200,
        &json!({"status_code": 200, "request_id": "request-id-mgmt-7", "project": project("UNKNOWN")}),
    ));
    let client = client(&server);
    let answer = client
        .projects()
        .get(projects::GetRequest::new("acme"))
        .await
        .expect("decoded");
    assert_eq!(answer.project.vertical, Some(Vertical::Unknown));

    let refused = client
        .projects()
        .create(projects::CreateRequest::new("Acme").vertical(Vertical::Unknown))
        .await
        .expect_err("the placeholder is not a valid input");
    assert!(
        matches!(
            refused,
            Error::InvalidParameter {
                parameter: "vertical",
                ..
            }
        ),
        "{refused:?}"
    );
    // An enum in the path is refused the same way.
    let refused = client
        .email_templates()
        .get_default(email_templates::GetDefaultRequest::new(
            "acme",
            TemplateType::UnknownTemplateType,
        ))
        .await
        .expect_err("the placeholder is not a valid path value");
    assert!(
        matches!(
            refused,
            Error::InvalidParameter {
                parameter: "email_template_type",
                ..
            }
        ),
        "{refused:?}"
    );
    assert_eq!(server.requests().len(), 1, "refused requests are not sent");
}

#[tokio::test]
async fn an_enum_path_parameter_is_its_wire_value() {
    let server = MockServer::start().await;
    server.reply(Reply::json(
        200,
        &json!({"status_code": 200, "request_id": "request-id-mgmt-8", "template_id": "welcome"}),
    ));
    client(&server)
        .email_templates()
        .get_default(email_templates::GetDefaultRequest::new(
            "acme",
            TemplateType::ResetPassword,
        ))
        .await
        .expect("answered");
    assert_eq!(
        server.single_request().path,
        "/pwa/v3/projects/acme/default_email_templates/RESET_PASSWORD"
    );
}

#[test]
fn the_client_defaults_to_the_management_host_and_checks_its_credentials() {
    assert_eq!(stytch_sdk::MANAGEMENT_URL, "https://management.stytch.com");
    let debug = format!(
        "{:?}",
        ManagementClient::new(KEY_ID, KEY_SECRET).expect("builds")
    );
    assert!(debug.contains("https://management.stytch.com"), "{debug}");
    for (id, secret, complaint) in [
        ("", KEY_SECRET, "workspace key id must not be empty"),
        (KEY_ID, "", "workspace key secret must not be empty"),
    ] {
        match ManagementClient::new(id, secret) {
            Err(Error::Config(message)) => assert_eq!(message, complaint),
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }
    assert!(matches!(
        ManagementClient::with_access_token(""),
        Err(Error::Config(message)) if message == "access token must not be empty"
    ));
}

#[test]
fn credentials_never_appear_in_debug_output() {
    let by_key = ManagementClient::builder(KEY_ID, KEY_SECRET);
    let by_token = ManagementClient::access_token_builder(ACCESS_TOKEN);
    let texts = [
        format!("{by_key:?}"),
        format!("{by_token:?}"),
        format!("{:?}", by_key.build().expect("builds")),
        format!("{:?}", by_token.build().expect("builds")),
    ];
    for text in texts {
        assert!(!text.contains(KEY_SECRET), "{text}");
        assert!(!text.contains(ACCESS_TOKEN), "{text}");
    }
}

/// Every span, field update and event, as text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<String>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl<S: tracing::Subscriber> Layer<S> for Captured {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::Id,
        _: Context<'_, S>,
    ) {
        attrs.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn on_record(&self, _: &tracing::Id, values: &tracing::span::Record<'_>, _: Context<'_, S>) {
        values.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        event.record(&mut Fields(&mut self.0.lock().unwrap()));
    }
}

#[tokio::test(flavor = "current_thread")]
async fn credentials_never_appear_in_traces() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(captured.clone())
        .with(tracing_subscriber::filter::LevelFilter::TRACE);
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    for _ in 0..2 {
        server.reply(Reply::json(
            200,
            &json!({"status_code": 200, "request_id": "request-id-mgmt-9", "projects": []}),
        ));
    }
    client(&server)
        .projects()
        .get_all(projects::GetAllRequest::new())
        .await
        .expect("listed");
    ManagementClient::access_token_builder(ACCESS_TOKEN)
        .api_url(server.url())
        .build()
        .expect("builds")
        .projects()
        .get_all(projects::GetAllRequest::new())
        .await
        .expect("listed");
    let text = captured.0.lock().unwrap().clone();
    assert!(text.contains("management.projects.get_all"), "{text}");
    for secret in [KEY_SECRET, ACCESS_TOKEN, &basic_auth(KEY_ID, KEY_SECRET)] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}
