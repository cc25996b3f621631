//! Stytch's predefined RBAC roles and resources, as its public docs list them.

use serde_json::{Value, json};

/// Actions of the `stytch.organization` resource.
const ORGANIZATION_ACTIONS: &[&str] = &[
    "update.info.name",
    "update.info.slug",
    "update.info.untrusted_metadata",
    "update.info.email_jit_provisioning",
    "update.info.logo_url",
    "update.info.email_invites",
    "update.info.allowed_domains",
    "update.info.default_sso_connection",
    "update.info.sso_jit_provisioning",
    "update.info.mfa_policy",
    "update.info.implicit_roles",
    "delete",
];

/// Actions of the `stytch.member` resource (every member of the organization).
const MEMBER_ACTIONS: &[&str] = &[
    "create",
    "update.info.name",
    "update.info.untrusted_metadata",
    "update.info.mfa-phone",
    "update.info.delete.mfa-phone",
    "update.settings.is-breakglass",
    "update.settings.mfa_enrolled",
    "update.settings.roles",
    "search",
    "delete",
];

/// Actions of the `stytch.sso` resource (SSO connections).
const SSO_ACTIONS: &[&str] = &["create", "update", "delete"];

/// Actions of the `stytch.self` resource (the logged-in member's own record).
const SELF_ACTIONS: &[&str] = &[
    "update.info.name",
    "update.info.untrusted_metadata",
    "update.info.mfa-phone",
    "update.info.delete.mfa-phone",
    "update.info.delete.password",
];

/// The B2B project policy a new Stytch project starts with: the resources
/// `stytch.organization`, `stytch.member`, `stytch.sso` and `stytch.self`,
/// and the roles `stytch_member` (every `stytch.self` action; every member
/// has it) and `stytch_admin` (every action on the organization, its members
/// and its SSO connections).
///
/// The actions are those Stytch's RBAC guide lists; a project's Dashboard can
/// show more, and `stytch.scim` is left out because the guide names no
/// actions for it. Add your own roles and resources to the returned JSON, or
/// pass it to [`MockStytch::set_policy`](super::MockStytch::set_policy) as it is.
pub fn stytch_default_b2b_policy() -> Value {
    let resource = |id: &str, description: &str, actions: &[&str]| json!({"resource_id": id, "description": description, "actions": actions});
    json!({
        "resources": [
            resource("stytch.organization", "The member's organization.", ORGANIZATION_ACTIONS),
            resource("stytch.member", "Every member of the organization.", MEMBER_ACTIONS),
            resource("stytch.sso", "The organization's SSO connections.", SSO_ACTIONS),
            resource("stytch.self", "The logged-in member's own record.", SELF_ACTIONS),
        ],
        "roles": [
            {
                "role_id": "stytch_member",
                "description": "Given to every member.",
                "permissions": [{"resource_id": "stytch.self", "actions": SELF_ACTIONS}],
            },
            {
                "role_id": "stytch_admin",
                "description": "Given to the member who created the organization.",
                "permissions": [
                    {"resource_id": "stytch.organization", "actions": ["*"]},
                    {"resource_id": "stytch.member", "actions": ["*"]},
                    {"resource_id": "stytch.sso", "actions": ["*"]},
                ],
            },
        ],
        "scopes": [],
    })
}

/// The consumer project policy a new Stytch project starts with: the
/// predefined role `stytch_user`, which every user has, granting nothing
/// until you give it permissions, and no resources.
pub fn stytch_default_consumer_policy() -> Value {
    json!({
        "resources": [],
        "roles": [
            {
                "role_id": "stytch_user",
                "description": "Given to every user.",
                "permissions": [],
            },
        ],
        "scopes": [],
    })
}
