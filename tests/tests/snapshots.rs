//! Snapshots of the generated code for the seed namespaces. A change in the
//! generator or the spec shows up here as a reviewable diff (`cargo insta review`).

use std::path::Path;

fn generated() -> Vec<stytch_codegen::render::OutputFile> {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    stytch_codegen::generate(&spec).unwrap_or_else(|e| panic!("spec does not generate: {e}"))
}

#[test]
fn seed_namespaces() {
    let files = generated();
    let seeds = [
        "consumer/totps.rs",
        "consumer/otps/mod.rs",
        "consumer/otps/sms.rs",
        "consumer/otps/whatsapp.rs",
        "consumer/otps/email.rs",
        "b2b/recovery_codes.rs",
        "b2b/otps/mod.rs",
        "b2b/otps/email/mod.rs",
        "b2b/otps/email/discovery.rs",
        "b2b/totps.rs",
        "consumer/models/totps.rs",
        "consumer/models/otp_sms.rs",
    ];
    for path in seeds {
        let file = files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path} was not generated"));
        let name = path.trim_end_matches(".rs").replace('/', "__");
        insta::assert_snapshot!(name, file.content);
    }
}

#[test]
fn vertical_roots() {
    let files = generated();
    for path in ["mod.rs", "consumer/mod.rs", "b2b/mod.rs"] {
        let file = files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path} was not generated"));
        let name = format!("root__{}", path.trim_end_matches(".rs").replace('/', "__"));
        insta::assert_snapshot!(name, file.content);
    }
}
