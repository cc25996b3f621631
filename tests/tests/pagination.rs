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

#[tokio::test]
async fn the_first_error_ends_the_walk() {
    let server = MockServer::start().await;
    server.reply(users_page(&["user-1", "user-2"], Some("cursor-a")));
    server.reply(Reply::json(
        429,
        &json!({"status_code": 429, "request_id": "r", "error_type": "too_many_requests", "error_message": "slow down", "error_url": "https://stytch.com/docs"}),
    ));
    server.reply(users_page(&["user-3"], None));
    let client: Client = server.client(PROJECT_ID, SECRET);

    let pages: Vec<Result<_, Error>> = client.users().search_pages(search()).collect().await;
    assert_eq!(pages.len(), 2, "one page, then the error, then nothing");
    assert_eq!(pages[0].as_ref().expect("page 1").results.len(), 2);
    let error = pages[1].as_ref().expect_err("page 2 fails");
    assert_eq!(
        error.api().map(|e| e.error_type.as_str()),
        Some("too_many_requests")
    );
    assert_eq!(
        server.count("/v1/users/search"),
        2,
        "no request after the error"
    );
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
