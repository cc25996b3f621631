//! Rules for namespace files: their names, parents, base URL, and the names
//! of the endpoints they hold (duplicates, clashes with children or types).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::load::pos;
use crate::names;

use super::Validator;

impl<'a> Validator<'a> {
    pub(super) fn namespaces(&mut self) {
        let mut ids: BTreeMap<(String, Vec<String>), usize> = BTreeMap::new();
        for ns in &self.spec.namespaces {
            ids.insert((ns.vertical.clone(), ns.segments.clone()), ns.file);
        }
        for ns in &self.spec.namespaces {
            let id = format!("{}.{}", ns.vertical, ns.segments.join("."));
            self.doc(&ns.body.doc, &format!("namespace `{id}`"));
            for segment in &ns.segments {
                if let Err(message) = names::module_name(segment) {
                    self.at_file(ns.file, 0, 0, format!("namespace `{id}`: {message}"));
                }
                if segment == "types" || segment == "models" {
                    self.at_file(
                        ns.file,
                        0,
                        0,
                        format!("namespace `{id}`: `{segment}` is reserved"),
                    );
                }
            }
            if ns.segments.len() > 1 {
                let parent = ns.segments[..ns.segments.len() - 1].to_vec();
                if !ids.contains_key(&(ns.vertical.clone(), parent.clone())) {
                    self.at_file(ns.file, 0, 0, format!(
                        "namespace `{id}` has no parent file `{}/{}.yaml` (it holds the parent's doc text)",
                        ns.vertical,
                        parent.join("/")
                    ));
                }
            }
            if let Some(base) = &ns.body.base_url
                && !matches!(base.as_str(), "api" | "telemetry")
            {
                self.at(
                    base,
                    format!(
                        "unknown base_url `{}`: expected `api` or `telemetry`",
                        base.as_str()
                    ),
                );
            }
            let children: BTreeSet<String> = self
                .spec
                .namespaces
                .iter()
                .filter(|c| {
                    c.vertical == ns.vertical
                        && c.segments.len() == ns.segments.len() + 1
                        && c.segments.starts_with(&ns.segments)
                })
                .filter_map(|c| c.segments.last().cloned())
                .collect();
            let mut seen_names: HashMap<String, (usize, usize)> = HashMap::new();
            let mut seen_types: HashMap<String, (usize, usize)> = HashMap::new();
            let methods: BTreeSet<String> = ns
                .body
                .endpoints
                .iter()
                .filter_map(|ep| names::snake(&ep.name).ok())
                .collect();
            for ep in &ns.body.endpoints {
                let (line, column) = pos(&ep.name);
                self.anchor = Some((ns.file, line, column));
                if let (Some(paginate), Ok(method)) = (&ep.paginate, names::snake(&ep.name)) {
                    for extra in crate::query::page_method_names(&method) {
                        if methods.contains(&extra) {
                            self.at(&paginate.cursor, format!("endpoint `{}` is paginated, so it gets a method `{extra}`, which another endpoint of `{id}` already has", ep.name.as_str()));
                        }
                    }
                }
                if let Some((l, c)) = seen_names.get(ep.name.as_str()) {
                    let msg = format!(
                        "duplicate endpoint `{}` in `{id}` (first at line {l}, column {c})",
                        ep.name.as_str()
                    );
                    self.at(&ep.name, msg);
                } else {
                    seen_names.insert(ep.name.to_string(), pos(&ep.name));
                }
                if children.contains(ep.name.as_str()) {
                    self.at(
                        &ep.name,
                        format!(
                            "endpoint `{}` has the same name as a child namespace of `{id}`",
                            ep.name.as_str()
                        ),
                    );
                }
                match (names::method_name(&ep.name), names::pascal(&ep.name)) {
                    (Ok(_), Ok(pascal)) => {
                        if let Some((l, c)) = seen_types.get(&pascal) {
                            let msg = format!(
                                "endpoint `{}` gives the same Rust type names ({pascal}Request) as the endpoint at line {l}, column {c}",
                                ep.name.as_str()
                            );
                            self.at(&ep.name, msg);
                        } else {
                            seen_types.insert(pascal, pos(&ep.name));
                        }
                    }
                    (Err(m), _) | (_, Err(m)) => self.at(&ep.name, m),
                }
                self.endpoint(ep, &id);
            }
        }
    }
}
