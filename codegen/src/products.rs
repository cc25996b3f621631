//! The products the spec can describe: each is a top-level directory of
//! `spec/`, a module and a cargo feature of the SDK, and one client type.
//!
//! Everything the stages need to know about a product beyond its endpoints
//! (which client it hangs off, how that client authenticates, which hosts
//! serve it) lives in this one table.

/// How a product's client proves who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// HTTP Basic with the project id and secret.
    ProjectSecret,
    /// A bearer token: the project's public token.
    PublicToken,
    /// HTTP Basic with a workspace management key id and secret, or a bearer
    /// access token issued for the workspace.
    WorkspaceKey,
}

/// One product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Product {
    /// Directory under `spec/`, module under `generated/` and cargo feature.
    pub name: &'static str,
    /// Client type at the SDK's crate root.
    pub client: &'static str,
    /// What the docs call an instance of the client (`client.users()`).
    pub variable: &'static str,
    /// What the product is, for module docs.
    pub about: &'static str,
    /// How the client authenticates.
    pub auth: Auth,
    /// Hosts serving the product: (URL, what it is).
    pub servers: &'static [(&'static str, &'static str)],
    /// What the reference calls the product's main host (its `base_url`).
    pub main_host: &'static str,
    /// Every endpoint path of the product starts with one of these.
    pub path_prefixes: &'static [&'static str],
    /// What the builder's two credentials are called in error messages.
    pub credential_names: [&'static str; 2],
    /// A credential id starting with this selects the first of `servers`
    /// (live projects), any other the second (test projects); without it the
    /// first server is the only default.
    pub live_prefix: Option<&'static str>,
    /// The endpoints local token verification fetches from, for products
    /// whose sessions and M2M tokens the SDK verifies locally.
    pub verification: Option<Verification>,
}

/// The endpoints of a product that local verification uses, as ids below
/// the product (`sessions.get_jwks`). The validator checks that the spec
/// has each with the parameters the generated product impl passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verification {
    /// The key set: one required parameter, `project_id`.
    pub key_set: &'static str,
    /// The RBAC policy: no required parameters.
    pub policy: &'static str,
    /// An M2M access token: required `client_id` and `client_secret`, and an
    /// optional list `scope`.
    pub token: &'static str,
}

/// Where local verification fetches from, the same for consumer and B2B.
const SESSION_VERIFICATION: Verification = Verification {
    key_set: "sessions.get_jwks",
    policy: "rbac.policy",
    token: "m2m.token",
};

const STYTCH_SERVERS: &[(&str, &str)] = &[
    (
        "https://api.stytch.com",
        "Live environment (`project-live-…` projects).",
    ),
    (
        "https://test.stytch.com",
        "Test environment (`project-test-…` projects).",
    ),
];

/// Every product, in the order their modules are generated.
pub const PRODUCTS: &[Product] = &[
    Product {
        name: "consumer",
        client: "Client",
        variable: "client",
        about: "consumer (users)",
        auth: Auth::ProjectSecret,
        servers: STYTCH_SERVERS,
        main_host: "api",
        path_prefixes: &["/v1/"],
        credential_names: ["project id", "secret"],
        live_prefix: Some("project-live-"),
        verification: Some(SESSION_VERIFICATION),
    },
    Product {
        name: "b2b",
        client: "B2BClient",
        variable: "b2b_client",
        about: "B2B (organizations and members)",
        auth: Auth::ProjectSecret,
        servers: STYTCH_SERVERS,
        main_host: "api",
        path_prefixes: &["/v1/"],
        credential_names: ["project id", "secret"],
        live_prefix: Some("project-live-"),
        verification: Some(SESSION_VERIFICATION),
    },
    Product {
        name: "samlshield",
        client: "SamlShieldClient",
        variable: "shield",
        about: "SAML Shield",
        auth: Auth::PublicToken,
        servers: &[("https://api.samlshield.com", "The SAML Shield service.")],
        main_host: "api",
        path_prefixes: &["/v1/"],
        credential_names: ["public token", "secret"],
        live_prefix: None,
        verification: None,
    },
    Product {
        name: "management",
        client: "ManagementClient",
        variable: "management",
        about: "Management",
        auth: Auth::WorkspaceKey,
        servers: &[(
            "https://management.stytch.com",
            "The Management API for workspace actions.",
        )],
        main_host: "management",
        path_prefixes: &["/pwa/v3/", "/web/v1/"],
        credential_names: ["workspace key id", "workspace key secret"],
        live_prefix: None,
        verification: None,
    },
];

/// The products whose tokens are verified locally, in the order of their
/// cache slots.
pub fn verifying() -> impl Iterator<Item = (&'static Product, Verification)> {
    PRODUCTS
        .iter()
        .filter_map(|p| p.verification.map(|v| (p, v)))
}

/// The product named `name`.
pub fn product(name: &str) -> Option<&'static Product> {
    PRODUCTS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_loader_knows_every_product() {
        let names: Vec<&str> = super::PRODUCTS.iter().map(|p| p.name).collect();
        assert_eq!(names, crate::load::VERTICALS);
    }
}
