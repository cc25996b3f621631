//! The route table of the offline mock behind the `test-util` feature (the
//! per-request `MockEndpoint` impls are rendered with the endpoint types).

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::*;

/// The route table of the offline mock (`test-util` feature): every endpoint of
/// the vertical with its method, path template and member-session parameter.
pub(super) fn mock_routes(v: &Vertical) -> TokenStream {
    let mut routes = Vec::new();
    for ns in v.all_namespaces() {
        for e in &ns.endpoints {
            let (id, method, path) = (&e.id, &e.http, &e.path);
            let session = e.params.iter().find_map(|p| match &p.location {
                Location::Header { token, jwt } => {
                    let field = &p.name;
                    Some(quote!(Some((#field, #token, #jwt))))
                }
                _ => None,
            });
            let session = session.unwrap_or_else(|| quote!(None));
            routes.push(quote! {
                crate::test_util::Route { id: #id, method: #method, path: #path, member_session: #session }
            });
        }
    }
    let name = &v.name;
    quote! {
        /// Every endpoint of this product, for the offline mock's request matching.
        #[cfg(all(feature = "test-util", feature = #name))]
        pub(crate) const MOCK_ROUTES: &[crate::test_util::Route] = &[#(#routes),*];
    }
}
