//! The names the validator reserves for hand-written methods are read from
//! the hand-written SDK itself: this test scans `stytch-sdk/src` (outside
//! `generated/`) for inherent `impl` blocks on generated handles and on the
//! clients, and fails when the validator's lists differ from what it finds,
//! saying which names to add or drop.
//!
//! A handle is a generated namespace type: a struct of `generated/` that
//! borrows the transport, so it has a lifetime parameter.
//! Blocks inside `macro_rules!` bodies count for the macro's invocations:
//! their arguments say whether the macro implements handles or clients.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use stytch_codegen::products::PRODUCTS;
use stytch_codegen::validate::reserved::{CLIENT_METHODS, HANDLE_METHODS};

/// What an `impl` block is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Other,
    /// `impl $x` inside a macro body: decided by the macro's invocations.
    MacroParam,
    Client,
    Handle,
}

#[derive(Default)]
struct Scan {
    /// Type names of the generated handles.
    handles: BTreeSet<String>,
    handle: BTreeSet<String>,
    client: BTreeSet<String>,
    /// Macro name → methods of its `impl $x` blocks.
    macro_methods: BTreeMap<String, BTreeSet<String>>,
    /// Macro name → targets its invocations name.
    macro_targets: BTreeMap<String, BTreeSet<Target>>,
}

fn hand_written_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "generated") {
                hand_written_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The generated handle types: the structs of `generated/` that borrow the
/// transport (`pub struct Sessions<'a>`).
fn generated_handles(dir: &Path) -> BTreeSet<String> {
    let mut handles = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            handles.extend(generated_handles(&path));
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let tokens: Vec<TokenTree> = TokenStream::from_str(&text).unwrap().into_iter().collect();
        for w in tokens.windows(4) {
            if let (
                TokenTree::Ident(s),
                TokenTree::Ident(name),
                TokenTree::Punct(lt),
                TokenTree::Punct(q),
            ) = (&w[0], &w[1], &w[2], &w[3])
                && s == "struct"
                && lt.as_char() == '<'
                && q.as_char() == '\''
            {
                handles.insert(name.to_string());
            }
        }
    }
    handles
}

fn clients() -> Vec<&'static str> {
    PRODUCTS.iter().map(|p| p.client).collect()
}

/// Classifies the tokens of an `impl` header or a macro invocation.
fn target_of(tokens: &[TokenTree], handles: &BTreeSet<String>) -> Target {
    let mut after_dollar = false;
    let mut target = Target::Other;
    for t in tokens {
        match t {
            TokenTree::Punct(p) if p.as_char() == '\'' => {}
            TokenTree::Ident(i) if i == "_" => {}
            TokenTree::Punct(p) if p.as_char() == '$' => {
                after_dollar = true;
                continue;
            }
            TokenTree::Ident(_) if after_dollar => target = target.max(Target::MacroParam),
            TokenTree::Ident(i) if clients().contains(&i.to_string().as_str()) => {
                target = target.max(Target::Client)
            }
            TokenTree::Ident(i) if handles.contains(&i.to_string()) => {
                target = target.max(Target::Handle)
            }
            _ => {}
        }
        after_dollar = false;
    }
    target
}

/// The names of the functions declared directly in an `impl` body.
fn fn_names(body: &TokenStream) -> BTreeSet<String> {
    let tokens: Vec<TokenTree> = body.clone().into_iter().collect();
    tokens
        .windows(2)
        .filter_map(|w| match (&w[0], &w[1]) {
            (TokenTree::Ident(f), TokenTree::Ident(name)) if f == "fn" => Some(name.to_string()),
            _ => None,
        })
        .collect()
}

impl Scan {
    /// Walks a token stream; `in_macro` names the `macro_rules!` whose body it is.
    fn walk(&mut self, stream: TokenStream, in_macro: Option<&str>) {
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                // `macro_rules! name { .. }`
                TokenTree::Ident(id) if id == "macro_rules" => {
                    if let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(body))) =
                        (tokens.get(i + 2), tokens.get(i + 3))
                    {
                        let name = name.to_string();
                        self.walk(body.stream(), Some(&name));
                        i += 4;
                        continue;
                    }
                }
                // `name!( .. )`: an invocation of a macro defined here.
                TokenTree::Ident(name)
                    if matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!')
                        && matches!(tokens.get(i + 2), Some(TokenTree::Group(_))) =>
                {
                    if let Some(TokenTree::Group(args)) = tokens.get(i + 2) {
                        let args: Vec<TokenTree> = args.stream().into_iter().collect();
                        self.macro_targets
                            .entry(name.to_string())
                            .or_default()
                            .insert(target_of(&args, &self.handles));
                        self.walk(args.into_iter().collect(), in_macro);
                    }
                    i += 3;
                    continue;
                }
                TokenTree::Ident(id) if id == "impl" => {
                    let body_at = tokens[i + 1..].iter().position(
                        |t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace),
                    );
                    if let Some(offset) = body_at {
                        let header = &tokens[i + 1..i + 1 + offset];
                        let is_trait_impl = header
                            .iter()
                            .any(|t| matches!(t, TokenTree::Ident(f) if f == "for"));
                        let TokenTree::Group(body) = &tokens[i + 1 + offset] else {
                            unreachable!("found as a brace group")
                        };
                        // A handle borrows the transport, so its `impl` names a
                        // lifetime; a hand-written type that shares a handle's
                        // name (`auth::RbacPolicy`, management's `RbacPolicy<'a>`)
                        // does not.
                        let borrows = header
                            .iter()
                            .any(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == '\''));
                        if !is_trait_impl {
                            let names = fn_names(&body.stream());
                            let target = match target_of(header, &self.handles) {
                                Target::Handle if !borrows => Target::Other,
                                target => target,
                            };
                            match (target, in_macro) {
                                (Target::Handle, _) => self.handle.extend(names),
                                (Target::Client, _) => self.client.extend(names),
                                (Target::MacroParam, Some(m)) => self
                                    .macro_methods
                                    .entry(m.to_owned())
                                    .or_default()
                                    .extend(names),
                                _ => {}
                            }
                        }
                        i += offset + 2;
                        continue;
                    }
                }
                TokenTree::Group(g) => self.walk(g.stream(), in_macro),
                _ => {}
            }
            i += 1;
        }
    }

    fn finish(mut self) -> Self {
        for (name, methods) in std::mem::take(&mut self.macro_methods) {
            for target in self.macro_targets.get(&name).into_iter().flatten() {
                match target {
                    Target::Handle => self.handle.extend(methods.iter().cloned()),
                    Target::Client => self.client.extend(methods.iter().cloned()),
                    _ => {}
                }
            }
        }
        self
    }
}

fn scan() -> Scan {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../stytch-sdk/src");
    let mut files = Vec::new();
    hand_written_files(&src, &mut files);
    files.sort();
    let mut scan = Scan {
        handles: generated_handles(&src.join("generated")),
        ..Scan::default()
    };
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let stream = TokenStream::from_str(&text)
            .unwrap_or_else(|e| panic!("{} does not tokenize: {e}", file.display()));
        scan.walk(stream, None);
    }
    scan.finish()
}

/// Names in `found` missing from `listed`, and names in `listed` not found.
fn difference(found: &BTreeSet<String>, listed: &[&str]) -> (Vec<String>, Vec<String>) {
    let listed: BTreeSet<String> = listed.iter().map(|s| s.to_string()).collect();
    (
        found.difference(&listed).cloned().collect(),
        listed.difference(found).cloned().collect(),
    )
}

#[test]
fn every_hand_written_handle_method_is_reserved() {
    let scan = scan();
    assert!(
        scan.handle.contains("authenticate_jwt"),
        "the scan found no handle methods; does it still understand the SDK's source? found {:?}",
        scan.handle
    );
    // Endpoints with a local check are wrapped by hand under their own name
    // (the generator emits `<name>_unchecked` for them): that method is the
    // endpoint itself, not a name taken from the spec.
    let wrapped: BTreeSet<String> = stytch_codegen::validate::LOCAL_CHECKS
        .iter()
        .filter_map(|(endpoint, _, _)| endpoint.rsplit('.').next())
        .map(str::to_owned)
        .collect();
    let found: BTreeSet<String> = scan.handle.difference(&wrapped).cloned().collect();
    let (add, drop) = difference(&found, HANDLE_METHODS);
    assert!(
        add.is_empty() && drop.is_empty(),
        "codegen/src/validate/reserved.rs HANDLE_METHODS is out of date with the hand-written \
         methods on generated handles in stytch-sdk/src: add {add:?}, drop {drop:?}"
    );
}

#[test]
fn every_hand_written_client_method_is_reserved() {
    let scan = scan();
    let (add, drop) = difference(&scan.client, CLIENT_METHODS);
    assert!(
        add.is_empty() && drop.is_empty(),
        "codegen/src/validate/reserved.rs CLIENT_METHODS is out of date with the hand-written \
         methods of the clients in stytch-sdk/src: add {add:?}, drop {drop:?}"
    );
}
