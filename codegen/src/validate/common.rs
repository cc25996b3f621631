//! Rules for `common.yaml`: the shared parameter and field definitions that
//! endpoints pull in with `use:`.

use std::collections::BTreeSet;

use super::Validator;

impl<'a> Validator<'a> {
    pub(super) fn common(&mut self) {
        let common_file = self
            .spec
            .files
            .iter()
            .position(|f| f.as_path() == std::path::Path::new("common.yaml"));
        self.anchor = common_file.map(|file| (file, 1, 1));
        let common = &self.spec.common;
        let mut seen = BTreeSet::new();
        for p in &common.params {
            let Some(name) = &p.name else {
                self.at_opt(
                    p.use_.as_ref(),
                    "a common parameter needs a `name` (and cannot `use` another)",
                );
                continue;
            };
            if !seen.insert(name.to_string()) {
                self.at(
                    name,
                    format!("duplicate common parameter `{}`", name.as_str()),
                );
            }
            if p.use_.is_some() || p.required.is_some() {
                self.at(name, "a common parameter cannot have `use` or `required`; set `required` where it is used");
            }
            self.local_param(p, name, None);
        }
        let mut seen = BTreeSet::new();
        for f in &common.fields {
            let Some(name) = &f.name else {
                self.at_opt(
                    f.use_.as_ref(),
                    "a common field needs a `name` (and cannot `use` another)",
                );
                continue;
            };
            if !seen.insert(name.to_string()) {
                self.at(name, format!("duplicate common field `{}`", name.as_str()));
            }
            if f.nilable.is_some() || f.http_status.is_some() {
                self.at(
                    name,
                    "a common field cannot set `nilable` or `http_status`; set them where the field is used",
                );
            }
            self.local_field(f, name);
        }
    }
}
