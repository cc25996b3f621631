//! Feeds arbitrary bytes to the generator as the files of a small spec and
//! checks the same property as `codegen/tests/mutations.rs`: spec errors
//! that name their place, or generated code that parses. A panic, a stack
//! overflow or a hang is a finding.
//!
//! The input is split at NUL bytes into the contents of `consumer/things.yaml`,
//! `consumer/types/users.yaml` and `common.yaml`; files the input does not
//! reach keep the content of the valid base spec in `codegen/tests/broken/_base`.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

const FILES: [&str; 3] = [
    "consumer/things.yaml",
    "consumer/types/users.yaml",
    "common.yaml",
];

fuzz_target!(|data: &[u8]| {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/broken/_base");
    let dir = tempfile::tempdir().unwrap();
    let mut parts = data.split(|&b| b == 0);
    for file in FILES {
        let content = match parts.next() {
            Some(part) => part.to_vec(),
            None => std::fs::read(base.join(file)).unwrap(),
        };
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    let api = match stytch_codegen::model(dir.path()) {
        Ok(api) => api,
        Err(stytch_codegen::Error::Spec(errors)) => {
            for e in &errors.0 {
                assert!(!e.to_string().contains("<spec>"), "no place: {e}");
            }
            return;
        }
        Err(other) => panic!("not a spec error: {other}"),
    };
    let sdk = stytch_codegen::render::render(&api).expect("an accepted spec renders");
    let test = stytch_codegen::render_tests::render(&api).expect("its test renders");
    for file in sdk.iter().chain([&test]) {
        if let Err(e) = syn::parse_file(&file.content) {
            panic!("{} does not parse: {e}", file.path);
        }
    }
});
