//! The mock's Management API client: workspace key credentials, the mock as host.

use super::MockStytch;

/// The workspace key id of the Management API clients the mock hands out.
pub const MOCK_WORKSPACE_KEY_ID: &str = "workspace-key-test-00000000-0000-4000-8000-000000000000";
/// The workspace key secret of the Management API clients the mock hands out.
pub const MOCK_WORKSPACE_KEY_SECRET: &str = "workspace-secret-test-mock";

impl MockStytch {
    /// A Management API client talking to the mock (it authenticates with
    /// [`MOCK_WORKSPACE_KEY_ID`] and [`MOCK_WORKSPACE_KEY_SECRET`]). Answer its
    /// calls with [`MockStytch::on`], as for the other products.
    pub fn management_client(&self) -> crate::ManagementClient {
        crate::ManagementClient::builder(MOCK_WORKSPACE_KEY_ID, MOCK_WORKSPACE_KEY_SECRET)
            .api_url(self.url())
            .build()
            .expect("the mock's client settings are valid")
    }
}
