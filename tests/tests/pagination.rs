//! Walking cursor-paginated endpoints with the generated `<method>_pages` and
//! `<method>_items` streams against a loopback server that serves pages by
//! cursor.

use futures_util::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use stytch_sdk::{B2BClient, Client, Error};
use stytch_tests::{MockServer, Recorded, Reply, fixture_json};

const PROJECT_ID: &str = "project-test-7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const SECRET: &str = "secret-test-Hq7Lm2Nx5Rb8Tc1Vd4Wf6Yg9Zj3Kp0Sa";

/// A user record with the given id, built from the shared fixture.
fn user(id: &str) -> Value {
    let mut user = fixture_json("consumer_otps_authenticate")["user"].clone();
    user["user_id"] = json!(id);
    user
}

fn users_page(ids: &[&str], next_cursor: Option<&str>) -> Reply {
    Reply::json(
        200,
        &json!({
            "status_code": 200,
            "request_id": "request-id-page",
            "results": ids.iter().map(|id| user(id)).collect::<Vec<_>>(),
            "results_metadata": {"total": 5, "next_cursor": next_cursor}
        }),
    )
}

/// The cursor each recorded search request carried (`None` when absent).
fn cursors(server: &MockServer) -> Vec<Option<String>> {
    server
        .requests_to("/v1/users/search")
        .iter()
        .map(|r: &Recorded| {
            r.json()
                .get("cursor")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect()
}

fn search() -> stytch_sdk::consumer::users::SearchRequest {
    stytch_sdk::consumer::users::SearchRequest::new().limit(2)
}

#[tokio::test]
async fn items_walk_three_pages_following_the_cursor() {
    let server = MockServer::start().await;
    server.reply(users_page(&["user-1", "user-2"], Some("cursor-a")));
    server.reply(users_page(&["user-3", "user-4"], Some("cursor-b")));
    server.reply(users_page(&["user-5"], None));
    let client: Client = server.client(PROJECT_ID, SECRET);

    let ids: Vec<String> = client
        .users()
        .search_items(search())
        .map_ok(|user| user.user_id)
        .try_collect()
        .await
        .expect("three pages");
    assert_eq!(ids, ["user-1", "user-2", "user-3", "user-4", "user-5"]);
    assert_eq!(
        cursors(&server),
        [
            None,
            Some("cursor-a".to_owned()),
            Some("cursor-b".to_owned())
        ]
    );
    for request in server.requests() {
        assert_eq!(
            request.json()["limit"],
            2,
            "every page keeps the request's options"
        );
    }
}

fn stytch_error(status: u16, error_type: &str) -> Reply {
    Reply::json(
        status,
        &json!({"status_code": status, "request_id": "r", "error_type": error_type, "error_message": "no", "error_url": "https://stytch.com/docs"}),
    )
}

#[tokio::test]
async fn the_first_error_ends_the_walk() {
    let server = MockServer::start().await;
    server.reply(users_page(&["user-1", "user-2"], Some("cursor-a")));
    server.reply(stytch_error(400, "invalid_search_query"));
    server.reply(users_page(&["user-3"], None));
    let client: Client = server.client(PROJECT_ID, SECRET);

    let pages: Vec<Result<_, Error>> = client.users().search_pages(search()).collect().await;
    assert_eq!(pages.len(), 2, "one page, then the error, then nothing");
    assert_eq!(pages[0].as_ref().expect("page 1").results.len(), 2);
    let error = pages[1].as_ref().expect_err("page 2 fails");
    assert_eq!(
        error.api().map(|e| e.error_type.as_str()),
        Some("invalid_search_query")
    );
    assert_eq!(
        server.count("/v1/users/search"),
        2,
        "no request after the error"
    );
}

#[tokio::test]
async fn a_429_on_page_two_of_a_search_is_retried_like_a_get() {
    let server = MockServer::start().await;
    server.reply(users_page(&["user-1", "user-2"], Some("cursor-a")));
    server.reply(stytch_error(429, "too_many_requests"));
    server.reply(users_page(&["user-3"], None));
    let client: Client = server
        .client_builder(PROJECT_ID, SECRET)
        .retry(stytch_sdk::RetryPolicy::default().base_delay(std::time::Duration::from_millis(1)))
        .build()
        .expect("client builds");

    let ids: Vec<String> = client
        .users()
        .search_items(search())
        .map_ok(|user| user.user_id)
        .try_collect()
        .await
        .expect("the 429 is retried");
    assert_eq!(ids, ["user-1", "user-2", "user-3"]);
    assert_eq!(
        cursors(&server),
        [
            None,
            Some("cursor-a".to_owned()),
            Some("cursor-a".to_owned())
        ],
        "the retry asks for the same page"
    );
}

#[tokio::test]
async fn every_read_only_search_is_retried() {
    // One POST search per product; all of them only read.
    let server = MockServer::start().await;
    server.reply(stytch_error(503, "internal_server_error"));
    server.reply(Reply::json(
        200,
        &json!({"status_code": 200, "request_id": "r", "organizations": [], "results_metadata": {"total": 0, "next_cursor": null}}),
    ));
    server.reply(stytch_error(503, "internal_server_error"));
    server.reply(Reply::json(
        200,
        &json!({"status_code": 200, "request_id": "r", "members": [], "organizations": {}, "results_metadata": {"total": 0, "next_cursor": null}}),
    ));
    let client: B2BClient = server
        .client_builder(PROJECT_ID, SECRET)
        .retry(stytch_sdk::RetryPolicy::default().base_delay(std::time::Duration::from_millis(1)))
        .build()
        .expect("client builds");
    client
        .organizations()
        .search(stytch_sdk::b2b::organizations::SearchRequest::new())
        .await
        .expect("organizations.search is retried");
    client
        .organizations()
        .members()
        .search(stytch_sdk::b2b::organizations::members::SearchRequest::new(
            vec!["organization-1".to_owned()],
        ))
        .await
        .expect("organizations.members.search is retried");
    assert_eq!(server.count("/v1/b2b/organizations/search"), 2);
    assert_eq!(server.count("/v1/b2b/organizations/members/search"), 2);
}

#[tokio::test]
async fn a_failed_walk_resumes_at_the_page_that_failed() {
    let server = MockServer::start().await;
    server.reply(users_page(&["user-1", "user-2"], Some("cursor-a")));
    server.reply(stytch_error(503, "internal_server_error"));
    server.reply(users_page(&["user-3", "user-4"], Some("cursor-b")));
    server.reply(users_page(&["user-5"], None));
    let client: Client = server
        .client_builder(PROJECT_ID, SECRET)
        .retry(stytch_sdk::RetryPolicy::disabled())
        .build()
        .expect("client builds");

    let mut users = client.users().search_items(search());
    assert_eq!(users.next_cursor(), None, "the first page has no cursor");
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    while let Some(user) = users.next().await {
        match user {
            Ok(user) => ids.push(user.user_id),
            Err(error) => errors.push(error.status()),
        }
    }
    assert_eq!(ids, ["user-1", "user-2"]);
    assert_eq!(
        errors,
        [Some(503)],
        "page 2 fails once, then the stream ends"
    );
    assert!(users.is_failed() && !users.is_finished());
    assert_eq!(
        users.next_cursor(),
        Some("cursor-a"),
        "where the walk stopped"
    );

    users.resume();
    while let Some(user) = users.next().await {
        ids.push(user.expect("pages 2 and 3").user_id);
    }
    assert_eq!(ids, ["user-1", "user-2", "user-3", "user-4", "user-5"]);
    assert!(users.is_finished());
    assert_eq!(users.next_cursor(), None);
    assert_eq!(
        cursors(&server),
        [
            None,
            Some("cursor-a".to_owned()),
            Some("cursor-a".to_owned()),
            Some("cursor-b".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_stored_cursor_continues_the_walk_in_a_new_stream() {
    let server = MockServer::start().await;
    server.reply(users_page(&["user-1"], Some("cursor-a")));
    server.reply(stytch_error(400, "invalid_request"));
    server.reply(users_page(&["user-2"], None));
    let client: Client = server.client(PROJECT_ID, SECRET);

    let mut pages = client.users().search_pages(search());
    assert!(pages.next().await.expect("page 1").is_ok());
    assert_eq!(
        pages.next_cursor(),
        Some("cursor-a"),
        "before page 2 is asked for"
    );
    assert!(pages.next().await.expect("page 2").is_err());
    assert!(pages.next().await.is_none(), "the error ends the stream");
    let saved = pages
        .next_cursor()
        .expect("the failed page's cursor")
        .to_owned();

    let rest: Vec<_> = client
        .users()
        .search_pages(search().cursor(saved))
        .try_collect()
        .await
        .expect("the rest");
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].results[0].user_id, "user-2");
}

#[tokio::test]
async fn an_empty_first_page_ends_the_walk() {
    for next in [None, Some("")] {
        let server = MockServer::start().await;
        server.reply(users_page(&[], next));
        let client: Client = server.client(PROJECT_ID, SECRET);
        let items: Vec<_> = client
            .users()
            .search_items(search())
            .try_collect()
            .await
            .expect("empty page");
        assert!(items.is_empty());
        assert_eq!(server.count("/v1/users/search"), 1, "next cursor {next:?}");
    }
}

#[tokio::test]
async fn a_cursor_that_repeats_does_not_loop_forever() {
    let server = MockServer::start_with(|_| users_page(&["user-x"], Some("stuck"))).await;
    let client: Client = server.client(PROJECT_ID, SECRET);
    let pages: Vec<_> = client
        .users()
        .search_pages(search().cursor("stuck"))
        .collect()
        .await;
    assert_eq!(pages.len(), 1);
    assert_eq!(server.count("/v1/users/search"), 1);
}

#[tokio::test]
async fn query_cursors_walk_a_get_endpoint() {
    let path = "/v1/b2b/scim/organization-1/connection/scim-connection-1";
    let server = MockServer::start_with(move |request: &Recorded| {
        let cursor = request
            .query_pairs()
            .into_iter()
            .find(|(name, _)| name == "cursor")
            .map(|(_, value)| value);
        let (group, next) = match cursor.as_deref() {
            None => ("group-1", json!("page-2")),
            Some("page-2") => ("group-2", json!("page-3")),
            Some("page-3") => ("group-3", Value::Null),
            Some(other) => panic!("unexpected cursor {other}"),
        };
        Reply::json(
            200,
            &json!({
                "status_code": 200,
                "request_id": "request-id-groups",
                "scim_groups": [{"group_id": group, "group_name": "Group", "organization_id": "organization-1", "connection_id": "scim-connection-1"}],
                "next_cursor": next
            }),
        )
    })
    .await;
    let client: B2BClient = server.client(PROJECT_ID, SECRET);
    let request = stytch_sdk::b2b::scim::connection::GetGroupsRequest::new(
        "organization-1",
        "scim-connection-1",
    );
    let groups: Vec<String> = client
        .scim()
        .connection()
        .get_groups_items(request)
        .map_ok(|group| group.group_id)
        .try_collect()
        .await
        .expect("three pages");
    assert_eq!(groups, ["group-1", "group-2", "group-3"]);
    assert_eq!(server.count(path), 3);
}
