//! Rules for `paginate:` declarations: the cursor parameter, the path to the
//! next cursor and the list of items.

use crate::load::{RawEndpoint, RawPagination};
use crate::query::follow;

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
                let location = self.spec.param_location(site).map(|l| l.as_str());
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
