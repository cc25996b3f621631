//! Rules for `paginate:` declarations, and [`follow`], which walks a dotted
//! path through response fields and object types (also used by resolving).

use crate::load::{RawEndpoint, RawField, RawPagination, RawSpec};
use crate::model::TypeExpr;

use super::Validator;

impl<'a> Validator<'a> {
    /// A pagination declaration must name an optional string parameter sent
    /// with the request, a string reached through the response, and a list field.
    pub(super) fn pagination(&mut self, ep: &RawEndpoint, paginate: &RawPagination, what: &str) {
        let cursor = ep.params.iter().find_map(|p| {
            let def = self.spec.param_definition(p)?;
            (def.name.as_ref()?.as_str() == paginate.cursor.as_str()).then_some((p, def))
        });
        match cursor {
            None => self.at(
                &paginate.cursor,
                format!(
                    "{what}: `paginate.cursor` names no parameter `{}`",
                    paginate.cursor.as_str()
                ),
            ),
            Some((site, def)) => {
                let string = def.ty.as_ref().is_some_and(|t| t.as_str() == "string");
                let required = site.required.as_ref().is_some_and(|r| **r);
                let location = site
                    .location
                    .as_ref()
                    .or(def.location.as_ref())
                    .map(|l| l.as_str());
                if !string || required || matches!(location, Some("path" | "header" | "local")) {
                    self.at(&paginate.cursor, format!("{what}: the cursor parameter `{}` must be an optional `string` sent in the query or body", paginate.cursor.as_str()));
                }
            }
        }
        match follow(self.spec, &ep.response, &paginate.next_cursor) {
            Ok(path) => {
                if path.last().is_some_and(|f| f.ty != "string") {
                    self.at(
                        &paginate.next_cursor,
                        format!("{what}: `paginate.next_cursor` must lead to a `string` field"),
                    );
                }
            }
            Err(message) => self.at(
                &paginate.next_cursor,
                format!("{what}: `paginate.next_cursor`: {message}"),
            ),
        }
        match follow(self.spec, &ep.response, &paginate.items) {
            Ok(path) if path.len() == 1 && path[0].ty.starts_with("list<") && !path[0].nilable => {}
            Ok(_) => self.at(&paginate.items, format!("{what}: `paginate.items` must name a response field of type `list<T>` that is not nilable")),
            Err(message) => self.at(&paginate.items, format!("{what}: `paginate.items`: {message}")),
        }
    }
}

/// One field reached while following a dotted path through a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    /// Wire name.
    pub name: String,
    /// Type expression as written.
    pub ty: String,
    /// Whether the field may be null or absent.
    pub nilable: bool,
}

/// The name, type and nilability of a response field, looking `use:` up in common.
fn describe(spec: &RawSpec, f: &RawField) -> Option<Reached> {
    let nilable = f.nilable.as_ref().is_some_and(|n| **n);
    let def = spec.field_definition(f)?;
    Some(Reached {
        name: def.name.as_ref()?.to_string(),
        ty: def.ty.as_ref()?.to_string(),
        nilable,
    })
}

/// Follows `path` (`results_metadata.next_cursor`) from an endpoint's response
/// fields through object types; every field on the way, outermost first.
pub fn follow(spec: &RawSpec, response: &[RawField], path: &str) -> Result<Vec<Reached>, String> {
    let mut fields: Vec<Reached> = response.iter().filter_map(|f| describe(spec, f)).collect();
    let mut out: Vec<Reached> = Vec::new();
    for (i, segment) in path.split('.').enumerate() {
        if let Some(previous) = out.last() {
            let Ok(TypeExpr::Named(id)) = TypeExpr::parse(&previous.ty) else {
                return Err(format!(
                    "`{}` has type `{}`, which has no field `{segment}`",
                    previous.name, previous.ty
                ));
            };
            let object = spec
                .type_files
                .iter()
                .filter(|f| f.vertical == id.vertical && f.module == id.module)
                .flat_map(|f| &f.body.types)
                .find(|t| t.name.as_str() == id.name)
                .ok_or_else(|| {
                    format!(
                        "`{}` has type `{id}`, which is not an object type",
                        previous.name
                    )
                })?;
            fields = object
                .fields
                .iter()
                .filter_map(|f| describe(spec, f))
                .collect();
        }
        let found = fields
            .iter()
            .find(|f| f.name == segment)
            .cloned()
            .ok_or_else(|| match i {
                0 => format!("the response has no field `{segment}`"),
                _ => format!("`{}` has no field `{segment}`", out[i - 1].name),
            })?;
        out.push(found);
    }
    Ok(out)
}
