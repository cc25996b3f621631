//! Products as hand-written code sees them: how a product's client
//! authenticates and which host serves it, and the endpoints that local
//! verification fetches from. The generator emits a [`Product`] for each
//! product of its product table (`codegen/src/products.rs`) and implements
//! [`VerifyingProduct`] for those verified locally, so client and auth code
//! stay generic and a new product needs no match arm.

use super::endpoint::Endpoint;

/// How a product's client proves who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// A variant is constructed only when a product with that scheme is compiled in.
#[allow(dead_code)]
pub(crate) enum Scheme {
    /// HTTP Basic with the project id and secret.
    ProjectSecret,
    /// The project's public token, sent as a bearer token.
    PublicToken,
    /// HTTP Basic with a workspace key id and secret (or a bearer access
    /// token for the workspace).
    WorkspaceKey,
}

/// One product of the API as its client builder needs it; the generator
/// emits one as `PRODUCT` in each product module.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Product {
    /// How its client authenticates.
    pub(crate) scheme: Scheme,
    /// What its builder's two credentials are called in error messages.
    pub(crate) credential_names: [&'static str; 2],
    /// The main host when the builder names none, which may depend on the
    /// credential id (live and test projects have different hosts).
    pub(crate) default_host: fn(&str) -> &'static str,
}

/// A product whose session JWTs and M2M tokens are verified locally: the
/// endpoints that fetch what verification needs.
pub(crate) trait VerifyingProduct: Send + Sync + 'static {
    /// Index of this product's key and policy caches in a client's auth state.
    const SLOT: usize;
    /// The request for the project's key set (JWKS).
    type KeySet: Endpoint + Send + Sync + 'static;
    /// The request for the project's RBAC policy.
    type Policy: Endpoint + Send + Sync + 'static;
    /// The request for an M2M access token (client credentials grant).
    type Token: Endpoint + Send + Sync + 'static;
    /// The key set request of `project_id`.
    fn key_set(project_id: &str) -> Self::KeySet;
    /// The policy request.
    fn policy() -> Self::Policy;
    /// The token request of an M2M client, for `scopes` or (none) the
    /// client's default scopes.
    fn token(client_id: &str, client_secret: &str, scopes: Option<Vec<String>>) -> Self::Token;
}
