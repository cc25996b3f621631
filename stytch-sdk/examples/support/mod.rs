//! What the flow examples share: choosing between the real API and the
//! offline mock, and asking for the codes a user would type in.

use std::io::{BufRead as _, Write as _};

use stytch_sdk::BuildClient;
use stytch_sdk::test_util::MockStytch;

/// Where an example sends its calls.
pub enum Backend {
    /// The Stytch API, with credentials from `STYTCH_PROJECT_ID` / `STYTCH_SECRET`.
    Live { project_id: String, secret: String },
    /// The offline mock, answering with the canned responses the example registers.
    Mock(MockStytch),
}

impl Backend {
    /// The real API when both credentials are set, the mock otherwise.
    pub async fn from_env() -> Self {
        match (
            std::env::var("STYTCH_PROJECT_ID"),
            std::env::var("STYTCH_SECRET"),
        ) {
            (Ok(project_id), Ok(secret)) if !project_id.is_empty() && !secret.is_empty() => {
                println!("using the Stytch API as project {project_id}");
                Backend::Live { project_id, secret }
            }
            _ => {
                println!("STYTCH_PROJECT_ID / STYTCH_SECRET not set: using the offline mock");
                Backend::Mock(MockStytch::start().await)
            }
        }
    }

    /// The mock, when the example runs offline.
    pub fn mock(&self) -> Option<&MockStytch> {
        match self {
            Backend::Mock(mock) => Some(mock),
            Backend::Live { .. } => None,
        }
    }

    /// A client of the chosen backend.
    pub fn client<C: BuildClient>(&self) -> Result<C, stytch_sdk::Error> {
        match self {
            Backend::Live { project_id, secret } => {
                stytch_sdk::ClientBuilder::<C>::new(project_id, secret).build()
            }
            Backend::Mock(mock) => mock.builder().build(),
        }
    }

    /// A value the user provides: the canned `offline` one against the mock;
    /// against the API the environment variable `var`, else a line read from stdin.
    #[allow(dead_code)] // Not every example asks for input.
    pub fn input(&self, var: &str, prompt: &str, offline: &str) -> String {
        if self.mock().is_some() {
            println!("{prompt}: {offline} (canned)");
            return offline.to_owned();
        }
        if let Ok(value) = std::env::var(var) {
            return value;
        }
        print!("{prompt} (or set {var}): ");
        std::io::stdout().flush().ok();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).ok();
        line.trim().to_owned()
    }
}

/// Parses a canned response body.
#[allow(dead_code)] // Not every example loads a JSON fixture.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("the example fixtures are JSON")
}
