//! Rules for fields of object types and responses, including `use:` of a
//! common field and the single `rest` field that collects remaining keys.

use crate::load::{RawField, S, pos};
use crate::model::TypeExpr;
use crate::names;

use super::Validator;

impl<'a> Validator<'a> {
    /// Checks one field; returns its wire name.
    pub(super) fn field(&mut self, f: &'a RawField) -> Option<&'a S<String>> {
        match (&f.name, &f.use_) {
            (Some(_), Some(u)) => {
                self.at(u, "a field has either `name` or `use`, not both");
                None
            }
            (None, None) => {
                self.at_opt(
                    f.doc.as_ref().or(f.ty.as_ref()),
                    "a field needs `name` or `use`",
                );
                None
            }
            (Some(name), None) => {
                self.local_field(f, name);
                self.http_status_field(f, name);
                Some(name)
            }
            (None, Some(u)) => {
                if self.spec.common_field(u).is_none() {
                    self.at(
                        u,
                        format!("`use: {}` names no field in common.yaml", u.as_str()),
                    );
                    return None;
                }
                if f.ty.is_some() || f.doc.is_some() || f.rest.is_some() {
                    self.at(
                        u,
                        format!(
                            "`use: {}` takes only `nilable` and `http_status`; type, doc and rest come from common.yaml",
                            u.as_str()
                        ),
                    );
                }
                self.http_status_field(f, u);
                Some(u)
            }
        }
    }

    pub(super) fn local_field(&mut self, f: &RawField, name: &S<String>) {
        let label = format!("field `{}`", name.as_str());
        if let Err(m) = names::snake(name) {
            self.at(name, m);
        }
        match &f.doc {
            Some(doc) => self.doc(doc, &label),
            None => self.at(name, format!("{label} needs a `doc`")),
        }
        let expr = match &f.ty {
            Some(ty) => self.type_expr(ty, false),
            None => {
                self.at(name, format!("{label} needs a `type`"));
                None
            }
        };
        if let Some(rest) = &f.rest
            && **rest
        {
            if expr.is_some() && !matches!(expr, Some(TypeExpr::Map(_))) {
                self.at(rest, format!("{label}: a `rest` field collects the remaining keys, so its type must be `map<T>`"));
            }
            if f.nilable.as_ref().is_some_and(|n| **n) {
                self.at(rest, format!("{label}: a `rest` field is never absent (it is empty when no other keys arrive); drop `nilable`"));
            }
        }
    }

    /// `http_status: true` stands for "the answer may lack this field; the
    /// HTTP status takes its place", so the field must be a nilable integer.
    /// Where it may appear (responses only, once each) is checked by
    /// [`Self::one_http_status_field`] and the type rules.
    fn http_status_field(&mut self, f: &RawField, name: &S<String>) {
        let Some(flag) = f.http_status.as_ref().filter(|h| ***h) else {
            return;
        };
        let label = format!("field `{}`", name.as_str());
        let ty = self
            .spec
            .field_definition(f)
            .and_then(|def| def.ty.as_ref())
            .map(|ty| ty.as_str());
        if ty.is_some_and(|ty| ty != "integer") {
            self.at(flag, format!("{label}: `http_status` fills the field with the HTTP status, so its type must be `integer`"));
        }
        if !f.nilable.as_ref().is_some_and(|n| **n) {
            self.at(flag, format!("{label}: `http_status` is for a field the answer may leave out; add `nilable: true`"));
        }
    }

    /// At most one response field takes the HTTP status.
    pub(super) fn one_http_status_field(&mut self, fields: &[RawField], what: &str) {
        self.at_most_one(
            fields,
            |f| f.http_status.as_ref(),
            what,
            "take the `http_status`",
        );
    }

    /// At most one field of an object or response may collect the remaining keys.
    pub(super) fn one_rest_field(&mut self, fields: &[RawField], what: &str) {
        self.at_most_one(fields, |f| f.rest.as_ref(), what, "be `rest`");
    }

    /// Reports every field after the first whose `flag` is set to true.
    fn at_most_one(
        &mut self,
        fields: &[RawField],
        flag: impl Fn(&RawField) -> Option<&S<bool>>,
        what: &str,
        does: &str,
    ) {
        let mut flagged = fields.iter().filter_map(|f| flag(f).filter(|set| ***set));
        if let Some(first) = flagged.next() {
            let (l, c) = pos(first);
            for again in flagged {
                self.at(
                    again,
                    format!(
                        "{what}: only one field may {does} (the first is at line {l}, column {c})"
                    ),
                );
            }
        }
    }
}
